/**
 * Sessions over arbitrary graphs whose changing state is fed as inputs: the training step (forward +
 * backward with the weights, running statistics and loss targets as inputs, returning weight gradients and
 * updated statistics) and the forward pass of a model whose weights are still being trained. The graph is
 * built into one onnxruntime session once and run many times with new values.
 */
import * as ort from 'onnxruntime-node';
import { ModelError } from '../core/errors.js';
import type { Model } from '../graph/ir.js';
import { encodeModel } from '../graph/onnx-io.js';
import { runOnSession } from './ort-session.js';

/** A float32 tensor crossing the engine boundary: values in C order and their dims. */
export interface TensorValue {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Options of `createGraphSession`. */
export interface GraphSessionOptions {
  /** onnxruntime intra-op threads (default: onnxruntime's choice, all cores). */
  readonly threads?: number;
  /** A display name for error messages (default "graph"). */
  readonly name?: string;
  /**
   * onnxruntime's CPU memory arena (default false: every run allocates afresh, by the memory pattern of
   * the first run, and gives it back). With the arena a session keeps its peak working memory between
   * runs and reuses it, instead of the operating system zeroing fresh pages each run: for a graph run
   * over and over (the training step) that is faster and, without the pattern's one big block, lower at
   * the peak. InceptionV3@320 step, batch 4: about 130,000 fewer page faults per run; 1729-1951 vs
   * 1968-2298 ms per step and 1.47 vs 1.68-1.77 GB peak RSS (docs/models.md).
   */
  readonly cpuArena?: boolean;
}

/** One onnxruntime session over a graph, fed and fetched by tensor name. */
export interface GraphSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the graph; `fetch` defaults to every output. Every non-optional input must be fed. */
  run(feeds: Readonly<Record<string, TensorValue>>, fetch?: readonly string[]): Promise<Record<string, TensorValue>>;
  /** Releases the native session. Safe to call twice. */
  dispose(): Promise<void>;
}

/** Builds an onnxruntime session for `model` (float32 inputs and outputs); throws `ModelError` when onnxruntime refuses the graph. */
export async function createGraphSession(model: Model, options: GraphSessionOptions = {}): Promise<GraphSession> {
  const name = options.name ?? 'graph';
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(encodeModel(model), {
      executionProviders: ['cpu'],
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // See `cpuArena`: with the arena, no memory pattern (its block would come from the arena, held at its size).
      enableCpuMemArena: options.cpuArena === true,
      enableMemPattern: options.cpuArena !== true,
    });
  } catch (cause) {
    throw new ModelError('graph-session-create', `onnxruntime could not build a session for ${name}: ${(cause as Error).message}`, {}, { cause });
  }
  let released = false;
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, fetch) {
      if (released) throw new ModelError('graph-session-disposed', `the session for ${name} was disposed`);
      try {
        return await runOnSession(session, feeds, fetch ?? session.outputNames);
      } catch (cause) {
        throw new ModelError('graph-session-run', `running ${name} failed: ${(cause as Error).message}`, {}, { cause });
      }
    },
    async dispose() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}
