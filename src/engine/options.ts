/**
 * Engine options with their defaults, written once and validated at the edge.
 */
import { availableParallelism } from 'node:os';
import { type Logger, silentLogger } from '../core/types.js';
import { engineErrors } from './messages.js';

/** Options of `loadOnnxModel`. Every field is optional; defaults are in `resolveEngineOptions`. */
export interface EngineOptions {
  /** A display name for messages and `info.name` (default: the file name, or "model" for bytes). */
  readonly name?: string;
  /** Image size [height, width]: required when the model's spatial size is dynamic; default: the model's own. */
  readonly inputSize?: readonly [number, number];
  /** Graph output holding the logits (default: the model's only output, or the first [N, K] one). */
  readonly output?: string;
  /** onnxruntime intra-op threads (default: all cores, `os.availableParallelism()`). */
  readonly threads?: number;
  /**
   * Worker lanes (default 1: every call on the main thread with all `threads`). With 2 or more, a call of
   * two or more rows is split into sub-batches that run side by side, one per lane, each lane a worker
   * thread with its own sessions and `threads / lanes` intra-op threads; calls of one row and weight
   * gradients stay on the main thread. Results are identical either way. Lanes buy 4-12% on input
   * gradients and more on many small calls, but each holds its own copy of the weights and activations:
   * 1.0-1.6x torch's peak memory against 0.8-0.9x with one (docs/engine.md). The jobs (`explain`,
   * `audit`) use `jobLanes`.
   */
  readonly lanes?: number;
  /**
   * Memory budget in MiB for the activations of one engine call (weights not included); calls are split
   * into sub-batches that fit (default 2048). See docs/engine.md for how bytes per image are estimated.
   */
  readonly memoryBudgetMiB?: number;
  /** Largest sub-batch regardless of the budget (default 32): big CPU batches buy nothing. */
  readonly maxBatch?: number;
  /**
   * Check at load time that every op on the gradient path has a gradient rule, so an unsupported model
   * fails early with all its unsupported ops listed (default true). Set false for predict-only use.
   */
  readonly checkGradients?: boolean;
  /**
   * Sessions kept at once (default 6); the least recently used is released beyond that. Each holds a copy
   * of the weights, so this bounds memory when many graph variants and image sizes are used.
   */
  readonly maxSessions?: number;
  /**
   * onnxruntime's CPU memory arena (default true). Without it every intermediate is a fresh allocation whose
   * pages fault in on first touch: element-wise backward ops ran 2-3x slower and the InceptionV3@320 input
   * gradient 18-40% slower overall, at about the same peak RSS (1076 vs 1115 MiB; measured, docs/engine.md).
   */
  readonly cpuArena?: boolean;
  /** Write onnxruntime profiles (chrome-trace JSON) with this file prefix, one per session; off by default. */
  readonly profilePrefix?: string;
  /** Where warnings go (default: dropped). */
  readonly logger?: Logger;
}

/** `EngineOptions` with every default filled in. */
export interface ResolvedEngineOptions {
  readonly name: string;
  readonly inputSize: readonly [number, number] | undefined;
  readonly output: string | undefined;
  readonly threads: number;
  readonly lanes: number;
  readonly memoryBudgetMiB: number;
  readonly maxBatch: number;
  readonly checkGradients: boolean;
  readonly maxSessions: number;
  readonly cpuArena: boolean;
  readonly profilePrefix: string | undefined;
  readonly logger: Logger;
}

/** Default memory budget per call, MiB. */
export const defaultMemoryBudgetMiB = 2048;
/** Default number of sessions kept at once. */
export const defaultMaxSessions = 6;
/** Default number of lanes of `loadOnnxModel` (capped by `threads`): one session, the least memory. */
export const defaultLanes = 1;
/**
 * Lanes the jobs (`heatcheck explain`, `heatcheck audit`) use when not told (capped by `threads`): they
 * make many calls per model, where overlapping two of them pays most (saliency suite: docs/saliency.md).
 */
export const jobLanes = 2;
/** Default cap on the sub-batch size. */
export const defaultMaxBatch = 32;

function positiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw engineErrors.badOption(name, value, 'a positive integer');
}

/** Validates options and fills in defaults. */
export function resolveEngineOptions(options: EngineOptions, fallbackName: string): ResolvedEngineOptions {
  positiveInteger('threads', options.threads);
  positiveInteger('lanes', options.lanes);
  positiveInteger('maxBatch', options.maxBatch);
  positiveInteger('maxSessions', options.maxSessions);
  if (options.memoryBudgetMiB !== undefined && !(options.memoryBudgetMiB > 0)) {
    throw engineErrors.badOption('memoryBudgetMiB', options.memoryBudgetMiB, 'a positive number of MiB');
  }
  if (options.inputSize !== undefined) {
    const [h, w] = options.inputSize;
    if (options.inputSize.length !== 2 || !Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
      throw engineErrors.badOption('inputSize', options.inputSize, '[height, width] in pixels');
    }
  }
  const threads = options.threads ?? availableParallelism();
  return {
    name: options.name ?? fallbackName,
    inputSize: options.inputSize ? [options.inputSize[0], options.inputSize[1]] : undefined,
    output: options.output,
    threads,
    lanes: Math.min(options.lanes ?? defaultLanes, threads),
    memoryBudgetMiB: options.memoryBudgetMiB ?? defaultMemoryBudgetMiB,
    maxBatch: options.maxBatch ?? defaultMaxBatch,
    checkGradients: options.checkGradients ?? true,
    maxSessions: options.maxSessions ?? defaultMaxSessions,
    cpuArena: options.cpuArena ?? true,
    profilePrefix: options.profilePrefix,
    logger: options.logger ?? silentLogger,
  };
}
