import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/core/errors.js';
import { DataType } from '../../src/graph/ir.js';
import { decodeModel, encodeModel } from '../../src/graph/onnx-io.js';
import { oraclePath } from '../helpers/oracle.js';

describe('onnx-io', () => {
  const bytes = readFileSync(oraclePath('saliency/tiny_inception.onnx'));

  it('reads the oracle model: opset, input, output, nodes and weights', () => {
    const model = decodeModel(bytes);
    expect(model.opsetImports).toEqual([{ domain: '', version: 13 }]);
    expect(model.graph.inputs[0]).toMatchObject({ name: 'input', elemType: DataType.FLOAT, shape: ['batch', 3, 64, 64] });
    expect(model.graph.outputs[0]?.shape).toEqual(['batch', 2]);
    const conv = model.graph.nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.attributes.kernel_shape).toEqual({ type: 'ints', value: [3, 3] });
    const weight = model.graph.initializers.find((t) => t.name === conv.inputs[1])!;
    expect(weight.data).toBeInstanceOf(Float32Array);
    expect(weight.data.length).toBe(weight.dims.reduce((a, b) => a * b, 1));
  });

  it('round-trips losslessly: decode(encode(m)) equals m', () => {
    const model = decodeModel(bytes);
    const again = decodeModel(encodeModel(model));
    expect(again).toEqual(model);
  });

  it('refuses bytes that are not ONNX with a ModelError', () => {
    expect(() => decodeModel(new Uint8Array([1, 2, 3, 4, 5]), 'junk.onnx')).toThrow(ModelError);
    expect(() => decodeModel(bytes.subarray(0, bytes.length >> 1), 'half.onnx')).toThrow(/half\.onnx/);
  });
});
