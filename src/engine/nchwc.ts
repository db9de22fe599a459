/**
 * The channel block of onnxruntime's NCHWc kernels on this machine (8 with AVX2, 16 with AVX-512), found
 * by running one ReorderInput on four channels (its minimum), which pads them to one block; 0 where onnxruntime has no
 * NCHWc kernels (other CPUs, other builds). Asked once per process.
 */
import * as ort from 'onnxruntime-node';
import { NCHWC_DOMAIN } from '../graph/nchwc.js';
import { encodeModel } from '../graph/onnx-io.js';
import type { Model } from '../graph/ir.js';

let block: Promise<number> | undefined;

function probeModel(): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }, { domain: NCHWC_DOMAIN, version: 1 }],
    producerName: 'heatcheck',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: [],
    graph: {
      name: 'nchwc-probe',
      nodes: [{ name: 'reorder', opType: 'ReorderInput', domain: NCHWC_DOMAIN, inputs: ['x'], outputs: ['y'], attributes: {} }],
      initializers: [],
      inputs: [{ name: 'x', elemType: 1, shape: [1, 4, 1, 1] }],
      outputs: [{ name: 'y', elemType: 1, shape: undefined }],
      valueInfo: [],
    },
  };
}

async function probe(): Promise<number> {
  try {
    const session = await ort.InferenceSession.create(encodeModel(probeModel()), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4, 1, 1]) });
      const b = out.y!.dims[1]!;
      return b > 4 ? b : 0;
    } finally {
      await session.release();
    }
  } catch {
    return 0;
  }
}

/** onnxruntime's NCHWc channel block here, or 0 when its NCHWc kernels are unavailable. */
export function nchwcBlockSize(): Promise<number> {
  return (block ??= probe());
}
