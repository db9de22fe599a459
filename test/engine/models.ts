/** Tiny hand-made ONNX models for the engine's error and inspection tests. */
import { readFileSync } from 'node:fs';
import { type Attribute, DataType, type Dim, type Model, type Node, type Tensor } from '../../src/graph/ir.js';
import { decodeModel, encodeModel } from '../../src/graph/onnx-io.js';
import { oraclePath } from '../helpers/oracle.js';

export const tinyInceptionPath = oraclePath('saliency/tiny_inception.onnx');

export function tinyInception(): Model {
  return decodeModel(readFileSync(tinyInceptionPath), 'tiny_inception.onnx');
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}): Node {
  return { name: `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes };
}

function weight(name: string, dims: number[], fill = 0.1): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = fill * (((i * 7) % 5) - 2);
  return { name, dataType: DataType.FLOAT, dims, data };
}

function model(nodes: Node[], initializers: Tensor[], input: { shape: Dim[]; elemType?: number }, output: Dim[]): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    producerName: 'heatcheck-test',
    producerVersion: '0',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadata: [],
    graph: {
      name: 'g',
      nodes,
      initializers,
      inputs: [{ name: 'x', elemType: input.elemType ?? DataType.FLOAT, shape: input.shape }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: output }],
      valueInfo: [],
    },
  };
}

/** A 2-D input model (a plain MLP): not an image model. */
export function vectorModel(): Uint8Array {
  return encodeModel(model([node('Gemm', ['x', 'w', 'b'], ['y'], { transB: { type: 'int', value: 1 } })], [weight('w', [2, 10]), weight('b', [2])], { shape: ['n', 10] }, ['n', 2]));
}

/** A conv net on a 4-D image whose input carries the given element type and shape; `channels` after its conv. */
export function convModel(inputShape: Dim[], elemType: number = DataType.FLOAT, extraOps: string[] = [], channels = 4): Uint8Array {
  const nodes: Node[] = [node('Conv', ['x', 'cw'], ['c'], { pads: { type: 'ints', value: [1, 1, 1, 1] } })];
  let last = 'c';
  for (const [i, op] of extraOps.entries()) {
    nodes.push(node(op, [last], [`e${i}`]));
    last = `e${i}`;
  }
  nodes.push(node('Relu', [last], ['r']), node('GlobalAveragePool', ['r'], ['p']), node('Flatten', ['p'], ['f']));
  nodes.push(node('Gemm', ['f', 'w', 'b'], ['y'], { transB: { type: 'int', value: 1 } }));
  return encodeModel(model(nodes, [weight('cw', [channels, 3, 3, 3]), weight('w', [2, channels]), weight('b', [2])], { shape: inputShape, elemType }, ['n', 2]));
}

/** The tiny Inception with its input made spatially dynamic ([batch, 3, h, w]). */
export function dynamicTinyInception(): Uint8Array {
  const m = tinyInception();
  m.graph.inputs[0]!.shape = ['batch', 3, 'h', 'w'];
  return encodeModel(m);
}
