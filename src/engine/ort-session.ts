/**
 * onnxruntime sessions as the engine uses them, on the main thread and on the lanes: the options every
 * session is built with, and a run on plain float32 arrays.
 */
import * as ort from 'onnxruntime-node';
import { SHARED_WEIGHTS_FILE, type SharedGraph } from './shared-graph.js';
import type { TensorValue } from './training-session.js';

/**
 * Options for a session with `threads` intra-op threads; with a profile prefix, the profile file is named
 * `<prefix>-<tag>` (the tag, a variant id with ':', '+', '@' and '#', reduced to safe characters). With
 * `shared`, the session is for that already optimised graph, its weights read from the shared buffer.
 */
export function ortSessionOptions(threads: number, cpuArena: boolean, profilePrefix: string | undefined, tag: string, shared?: SharedGraph): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: shared ? 'disabled' : 'all',
    ...(shared?.weights ? { externalData: [{ path: SHARED_WEIGHTS_FILE, data: shared.weights }] } : {}),
    enableCpuMemArena: cpuArena,
    // With the memory pattern on, onnxruntime allocates one block per run from the first run's trace, and
    // every run after the first peaked 60% higher (DenseNet121 input gradient, batch 8: 1959 vs 1242 MiB)
    // at no measurable speed gain.
    enableMemPattern: false,
    ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: `${profilePrefix}-${tag.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80)}` } : {}),
  };
}

/** A session on a shared graph (`shared-graph.ts`); onnxruntime copies the weights at creation, so the graph may be dropped then. */
export async function sessionOnShared(shared: SharedGraph, threads: number, cpuArena: boolean, profilePrefix: string | undefined, tag: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(shared.model, ortSessionOptions(threads, cpuArena, profilePrefix, tag, shared));
}

/** One run of a session on plain float32 arrays. */
export async function runOnSession(session: ort.InferenceSession, feeds: Readonly<Record<string, TensorValue>>, fetch: readonly string[]): Promise<Record<string, TensorValue>> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, v] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', v.data, [...v.dims]);
  const result = await session.run(tensors, [...fetch]);
  const out: Record<string, TensorValue> = {};
  for (const name of fetch) {
    const t = result[name]!;
    out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
  }
  return out;
}
