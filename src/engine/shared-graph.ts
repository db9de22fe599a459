/**
 * A graph optimised once by onnxruntime for all the lanes, its weights in one SharedArrayBuffer. Each lane
 * used to get its own copy of the graph's bytes and optimise it itself, every lane's layout transforms
 * holding the original and the reordered weights at once; with two lanes, the batch-8 input gradient
 * peaked at 1126 MiB (ResNet18) and 2099 MiB (InceptionV3@320). Built from the optimised graph, with its
 * weights handed over as in-memory external data, the lanes skip that: 972 and 2007 MiB (bench medians,
 * docs/engine.md). onnxruntime still copies the weights into each session, so the shared buffer is only
 * the way there and is dropped after the build.
 */
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { HeatcheckError } from '../core/errors.js';

/** The external-data file name the optimised graph refers to. */
export const SHARED_WEIGHTS_FILE = 'weights.bin';

/** An optimised graph: its bytes (weights left out) and its weights in shared memory. */
export interface SharedGraph {
  readonly model: Uint8Array;
  /** A view on a SharedArrayBuffer, or undefined when the graph has no initializer large enough to move out. */
  readonly weights: Uint8Array | undefined;
}

/**
 * Optimises `bytes` with onnxruntime (every level, as the engine's sessions use) and returns the result
 * with its initializers of 64 KiB and more in shared memory (smaller ones, such as the split sizes shape
 * inference reads, stay in the graph). The optimised graph is written to a private folder under `root`,
 * read back and the folder removed, also on failure.
 */
export async function shareGraph(bytes: Uint8Array, threads: number, root = tmpdir()): Promise<SharedGraph> {
  let dir: string;
  try {
    dir = await mkdtemp(join(root, 'heatcheck-graph-'));
  } catch (cause) {
    throw new HeatcheckError('engine-temp-folder', `cannot create a folder under ${root} for onnxruntime's optimised graph (${(cause as Error).message})`, {
      hint: 'point TMPDIR at a writable folder, or use lanes: 1 (graphs are then optimised in memory)',
      cause,
    });
  }
  try {
    const modelPath = join(dir, 'model.onnx');
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: modelPath,
      // Warnings off: onnxruntime warns that a graph optimised at this level only suits this machine,
      // which is where it runs.
      logSeverityLevel: 3,
      extra: { session: { optimized_model_external_initializers_file_name: SHARED_WEIGHTS_FILE, optimized_model_external_initializers_min_size_in_bytes: String(64 * 1024) } },
    });
    await session.release();
    const model = new Uint8Array(await readFile(modelPath));
    return { model, weights: await readShared(join(dir, SHARED_WEIGHTS_FILE)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads a file straight into a SharedArrayBuffer; undefined when onnxruntime wrote none. */
async function readShared(path: string): Promise<Uint8Array | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const { size } = await file.stat();
    const data = new Uint8Array(new SharedArrayBuffer(size));
    for (let at = 0; at < size; ) {
      const { bytesRead } = await file.read(data, at, size - at, at);
      if (bytesRead === 0) throw new Error(`onnxruntime's optimised weights ${path} ended after ${at} of ${size} bytes`);
      at += bytesRead;
    }
    return data;
  } finally {
    await file.close();
  }
}
