/**
 * Chunked model passes with one chunk of look-ahead: chunk k+1's inputs are built while chunk k's pass
 * runs, and chunk k's result is folded in while chunk k+1's pass runs. The engine's lanes run passes on
 * worker threads, so this JavaScript no longer waits for them (SmoothGrad spent about 0.6 s per image
 * building noisy copies and summing maps between passes). Passes still run one at a time and in order,
 * and results are folded in order, so the output is exactly that of the plain loop.
 */

/** Lets the engine's pending steps run (post work to its lanes, take their replies) before more JavaScript. */
export function yieldToEngine(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `work` while `pass` runs and returns both results. A pass that fails during the work is rethrown
 * afterwards (not left unhandled), and a failed work waits for the pass before rethrowing, so no pass is
 * left running behind the caller's back.
 */
export async function whileRunning<R, W>(pass: Promise<R>, work: () => Promise<W>): Promise<[R, W]> {
  pass.catch(() => undefined);
  let done: W;
  try {
    done = await work();
  } catch (error) {
    await pass.catch(() => undefined);
    throw error;
  }
  return [await pass, done];
}

/** The three steps of one chunk. */
export interface ChunkSteps<P, R> {
  /** Builds chunk k's inputs (may yield between rows so lane replies are taken promptly). */
  readonly prepare: (k: number) => P | Promise<P>;
  /** Starts chunk k's pass. */
  readonly run: (prepared: P, k: number) => Promise<R>;
  /** Folds chunk k's result in. */
  readonly consume: (result: R, prepared: P, k: number) => void | Promise<void>;
}

/** Runs `count` chunks through prepare → run → consume with one chunk of look-ahead (see the module comment). */
export async function pipelined<P, R>(count: number, steps: ChunkSteps<P, R>): Promise<void> {
  if (count === 0) return;
  // A pass that fails while the next chunk is being built is handled here and rethrown when awaited,
  // instead of surfacing as an unhandled rejection.
  const start = (p: P, k: number): Promise<R> => {
    const run = steps.run(p, k);
    run.catch(() => undefined);
    return run;
  };
  let prepared = await steps.prepare(0);
  let pending: Promise<R> | undefined = start(prepared, 0);
  try {
    for (let k = 0; k < count; k++) {
      await yieldToEngine();
      const next = k + 1 < count ? await steps.prepare(k + 1) : undefined;
      const result: R = await pending!;
      pending = undefined;
      if (next !== undefined) {
        pending = start(next, k + 1);
        await yieldToEngine();
      }
      await steps.consume(result, prepared, k);
      if (next !== undefined) prepared = next;
    }
  } finally {
    // A failed step leaves no pass running behind the caller's back.
    if (pending) await pending.catch(() => undefined);
  }
}
