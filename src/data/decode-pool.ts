/**
 * A pool of worker threads that decode images (`readImage` in parallel). WASM codecs keep their grown
 * heaps for the life of a thread, so the pool replaces its workers after `recycleAfter` tasks (and on
 * `recycle()`); a task that runs longer than `timeoutMs` is stopped by terminating its worker, so no
 * input can hang a run.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { DataError } from '../core/errors.js';
import type { XrayImage } from '../core/types.js';
import { imageErrors } from './dicom/messages.js';
import type { DecodeTask, DecodeTaskResult } from './decode-worker.js';
import type { ReadImageOptions } from './read-image.js';

/** Options of `createDecodePool`. */
export interface DecodePoolOptions {
  /** Worker threads; default min(2, available cores). */
  readonly workers?: number;
  /** Replace the workers after this many tasks, releasing codec heaps; default 1000. */
  readonly recycleAfter?: number;
  /** Stop a task after this many milliseconds of decoding (queueing excluded) with a DataError; default 60000. */
  readonly timeoutMs?: number;
}

/** A worker pool decoding images to canonical `XrayImage`s. */
export interface DecodePool {
  /** `readImage(path, options)` on a worker. */
  readImage(path: string, options?: ReadImageOptions): Promise<XrayImage>;
  /** `decodeImage(bytes, source, options)` on a worker (the bytes are copied to it). */
  decodeImage(bytes: Uint8Array, source: string, options?: ReadImageOptions): Promise<XrayImage>;
  /** Replaces the workers now (running tasks finish on the old ones). */
  recycle(): Promise<void>;
  /** Waits for running tasks and stops the workers. */
  close(): Promise<void>;
  readonly workers: number;
}

// From source (tests, tsx) the worker is a .ts file and needs tsx's loader in the worker thread.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = new URL(fromSource ? './decode-worker.ts' : './decode-worker.js', import.meta.url).href;

/** Starts a decode pool; call `close()` when done. */
export function createDecodePool(options: DecodePoolOptions = {}): DecodePool {
  const workers = Math.max(1, Math.floor(options.workers ?? Math.min(2, availableParallelism())));
  const recycleAfter = Math.max(1, options.recycleAfter ?? 1000);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const start = (): Piscina =>
    new Piscina({
      filename: workerFile,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
      ...(fromSource ? { execArgv: [...process.execArgv.filter((a) => !a.startsWith('--input-type')), '--import', 'tsx'] } : {}),
    });
  // A generation is one Piscina; a retired one is closed once its own tasks have settled (Piscina's
  // close() would cut off tasks still waiting in its queue).
  interface Generation {
    readonly piscina: Piscina;
    pending: number;
    retired: boolean;
    closed?: Promise<void>;
  }
  const begin = (): Generation => ({ piscina: start(), pending: 0, retired: false });
  const closeIfIdle = (g: Generation): Promise<void> | undefined => {
    if (!g.retired || g.pending > 0) return g.closed;
    g.closed ??= g.piscina.close().then(
      () => undefined,
      () => undefined,
    );
    return g.closed;
  };
  const generations = new Set<Generation>();
  let current = begin();
  generations.add(current);
  let tasks = 0;
  const replace = (): void => {
    current.retired = true;
    void closeIfIdle(current);
    current = begin();
    generations.add(current);
    tasks = 0;
  };

  // At most `workers` tasks are handed to Piscina at a time, so a task's timeout counts its own decoding,
  // not the time it waited behind thousands of others.
  let active = 0;
  const waiting: (() => void)[] = [];
  const acquire = async (): Promise<void> => {
    if (active < workers) {
      active++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  const run = async (task: DecodeTask, source: string): Promise<XrayImage> => {
    await acquire();
    if (tasks >= recycleAfter) replace();
    tasks++;
    const g = current;
    g.pending++;
    let result: DecodeTaskResult;
    try {
      result = (await g.piscina.run(task, { signal: AbortSignal.timeout(timeoutMs) })) as DecodeTaskResult;
    } catch (error) {
      if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) throw imageErrors.timeout(source, timeoutMs);
      throw imageErrors.worker(source, error instanceof Error ? error.message : String(error));
    } finally {
      release();
      g.pending--;
      void closeIfIdle(g)?.then(() => generations.delete(g));
    }
    if (!result.ok) {
      const e = result.error;
      throw new DataError(e.code, e.message, { ...(e.file ? { file: e.file } : {}), ...(e.field ? { field: e.field } : {}) }, e.hint ? { hint: e.hint } : {});
    }
    return result.image;
  };

  return {
    workers,
    readImage: (path, readOptions = {}) => run({ path, options: readOptions }, path),
    decodeImage: (bytes, source, readOptions = {}) => run({ bytes, source, options: readOptions }, source),
    async recycle() {
      replace();
    },
    async close() {
      current.retired = true;
      const waits: Promise<void>[] = [];
      for (const g of generations) {
        g.retired = true;
        const closing = closeIfIdle(g);
        if (closing) waits.push(closing);
      }
      await Promise.all(waits);
    },
  };
}
