/**
 * Shapes measured by running the forward graph: every intermediate tensor is added as a graph output and
 * the model runs once at the given input dims and once with one more batch row, so a dim 0 that follows
 * the batch is recorded as the symbolic 'batch' (the input's own symbol when it has one). Exact for any
 * op, including ones static inference does not know.
 */
import * as ort from 'onnxruntime-node';
import { ModelError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { DataType, type DataTypeCode, type Dim, type Model } from '../graph/ir.js';
import { encodeModel } from '../graph/onnx-io.js';
import type { ShapeEntry, ShapeTable } from '../graph/shapes.js';

const ORT_TYPES: Record<string, DataTypeCode> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  float16: DataType.FLOAT16,
  int64: DataType.INT64,
  int32: DataType.INT32,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  bool: DataType.BOOL,
};

/**
 * Runs `model` on random data of `inputDims` (for its first graph input, or per input name; batch 1 by
 * default) and returns dims and dtypes of every tensor, with batch-following dim 0 marked symbolic.
 */
export async function probeShapes(model: Model, inputDims?: readonly number[] | Readonly<Record<string, readonly number[]>>, options: { threads?: number } = {}): Promise<ShapeTable> {
  const g = model.graph;
  const initializerNames = new Set(g.initializers.map((t) => t.name));
  const inputs = g.inputs.filter((v) => !initializerNames.has(v.name));
  const dimsFor = (name: string, index: number): number[] => {
    const given = Array.isArray(inputDims) ? (index === 0 ? inputDims : undefined) : (inputDims as Record<string, readonly number[]> | undefined)?.[name];
    const declared = inputs[index]!.shape;
    const dims = given ? [...given] : declared?.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : null));
    if (!dims || dims.some((d) => typeof d !== 'number')) {
      throw new ModelError('probe-input-dims', `cannot probe shapes: input "${name}" has unknown dims; give them explicitly`);
    }
    return dims as number[];
  };
  const baseDims = inputs.map((v, i) => dimsFor(v.name, i));
  const symbol = inputs.map((v) => v.shape?.[0]).find((d): d is string => typeof d === 'string') ?? 'batch';

  const known = new Set([...g.outputs.map((o) => o.name)]);
  const extra = g.nodes.flatMap((n) => n.outputs).filter((o) => o && !known.has(o) && !initializerNames.has(o));
  const probeModel: Model = {
    ...model,
    graph: { ...g, outputs: [...g.outputs, ...[...new Set(extra)].map((name) => ({ name, elemType: undefined, shape: undefined }))] },
  };
  const session = await ort.InferenceSession.create(encodeModel(probeModel), {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'disabled',
  });
  try {
    const rng = createRng(0);
    const run = async (batchExtra: number) => {
      const feeds: Record<string, ort.Tensor> = {};
      inputs.forEach((v, i) => {
        const dims = [...baseDims[i]!];
        if (dims.length > 0) dims[0] = dims[0]! + batchExtra;
        const size = dims.reduce((a, b) => a * b, 1);
        const type = v.elemType ?? DataType.FLOAT;
        if (type === DataType.INT64) feeds[v.name] = new ort.Tensor('int64', new BigInt64Array(size), dims);
        else {
          const data = new Float32Array(size);
          for (let k = 0; k < size; k++) data[k] = rng.uniform() * 2 - 1;
          feeds[v.name] = new ort.Tensor('float32', data, dims);
        }
      });
      return session.run(feeds);
    };
    const first = await run(0);
    // A model with a fixed batch refuses a second batch size: then nothing is batch-dependent.
    let second: Record<string, ort.Tensor | undefined> = {};
    try {
      second = await run(1);
    } catch {
      second = {};
    }
    const table = new Map<string, ShapeEntry>();
    for (const t of g.initializers) table.set(t.name, { dims: [...t.dims], dtype: t.dataType });
    inputs.forEach((v, i) => table.set(v.name, { dims: baseDims[i]!.map((d, k) => (k === 0 ? symbol : d)), dtype: v.elemType ?? DataType.FLOAT }));
    for (const [name, tensor] of Object.entries(first)) {
      const other = second[name];
      const dims: Dim[] = tensor.dims.map((d, k) => (k === 0 && other && other.dims[0] !== d ? symbol : d));
      table.set(name, { dims, dtype: ORT_TYPES[tensor.type] ?? DataType.UNDEFINED });
      tensor.dispose();
      other?.dispose();
    }
    return table;
  } finally {
    await session.release();
  }
}
