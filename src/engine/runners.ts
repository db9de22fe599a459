/**
 * Spreading a call's sub-batches over side-by-side runners (the engine's lanes).
 */

/**
 * Runs `task` on every item, `width` at a time (runner i takes the next item when its last is done). After
 * a failure no new item starts; the first failure is thrown once the running ones have settled.
 */
export async function eachOnRunners<T>(items: readonly T[], width: number, task: (item: T, runner: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const runner = async (r: number): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item, r);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(width, items.length) }, (_, r) => runner(r)));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
}
