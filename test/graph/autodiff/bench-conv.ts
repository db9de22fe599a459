/**
 * Measures conv backward formulations on onnxruntime (2 threads), to pick the fastest:
 *   npx tsx test/graph/autodiff/bench-conv.ts
 * dX: Conv on flipped weights vs ConvTranspose (stride 1); dW: shifted slices + one Gemm (im2col by
 * Concat) vs one Gemm per kernel offset summed.
 */
import * as ort from 'onnxruntime-node';
import { DataType, type Model, type Node } from '../../../src/graph/ir.js';
import { encodeModel } from '../../../src/graph/onnx-io.js';
import { differentiate } from '../../../src/graph/autodiff/differentiate.js';
import { makeModel, node, param } from './harness.js';

async function time(model: Model, feeds: Record<string, { data: Float32Array; dims: number[] }>, outputs: string[], reps = 20): Promise<number> {
  const session = await ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', v.data, v.dims);
  await session.run(f, outputs);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await session.run(f, outputs);
  const ms = (performance.now() - t0) / reps;
  await session.release();
  return ms;
}

function graphOf(nodes: Node[], inputs: Record<string, number[]>, outputs: string[], inits: Record<string, { data: Float32Array; dims: number[] }> = {}): Model {
  const m = makeModel({ inputs, nodes, output: outputs[0]!, params: inits });
  m.graph.outputs = outputs.map((name) => ({ name, elemType: DataType.FLOAT, shape: undefined }));
  return m;
}

const configs = [
  { name: 'densenet-like 3x3 128->32 @28', n: 8, c: 128, m: 32, hw: 28, k: 3 },
  { name: 'resnet-like 3x3 64->64 @56', n: 8, c: 64, m: 64, hw: 56, k: 3 },
  { name: '1x1 256->128 @28', n: 8, c: 256, m: 128, hw: 28, k: 1 },
];

for (const cfg of configs) {
  const { n, c, m, hw, k } = cfg;
  const p = (k - 1) / 2;
  const w = param([m, c, k, k], 1, 0.1);
  const spec = { inputs: { x: [n, c, hw, hw] }, params: { w }, nodes: [node('Conv', ['x', 'w'], ['y'], { pads: [p, p, p, p] })], output: 'y' };
  const x = param([n, c, hw, hw], 2);
  const dy = param([n, m, hw, hw], 3);
  const fwd = makeModel(spec);
  // Backward-only graphs: a conv's gradients do not need its forward output, so drop the forward node.
  const backwardOnly = (r: ReturnType<typeof differentiate>) => {
    r.model.graph.nodes = r.model.graph.nodes.slice(1);
    r.model.graph.outputs = r.model.graph.outputs.filter((o) => o.name !== 'y');
    return r;
  };
  const dx = backwardOnly(differentiate(fwd, { output: 'y', inputs: ['x'] }));
  const dw = backwardOnly(differentiate(fwd, { output: 'y', weights: ['w'] }));
  const feeds = { x, [dx.seedInput]: dy };
  const tForward = await time(fwd, { x }, ['y']);
  const tDx = await time(dx.model, feeds, [dx.gradients.x!]);
  const tDw = await time(dw.model, { ...feeds, w }, [dw.gradients.w!]);
  // Alternative dX: ConvTranspose at stride 1.
  const ct = graphOf([node('ConvTranspose', ['dy', 'w'], ['dx'], { pads: [p, p, p, p] })], { dy: [n, m, hw, hw] }, ['dx'], { w });
  const tCt = await time(ct, { dy }, ['dx']);
  // Alternative dW: one Gemm per kernel offset, summed.
  const altNodes: Node[] = [
    node('Pad', ['x', 'pads'], ['xp']),
    node('Transpose', ['xp'], ['xt'], { perm: [1, 0, 2, 3] }),
    node('Transpose', ['dy'], ['dyt'], { perm: [1, 0, 2, 3] }),
    node('Reshape', ['dyt', 'mshape'], ['dym']),
  ];
  const parts: string[] = [];
  const i64 = (v: number[]) => ({ data: new Float32Array(0), dims: [v.length], v });
  void i64;
  const consts: Record<string, number[]> = { pads: [0, 0, p, p, 0, 0, p, p], mshape: [m, -1], cshape: [c, -1], axes: [2, 3] };
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      consts[`s${i}${j}`] = [i, j];
      consts[`e${i}${j}`] = [i + hw, j + hw];
      altNodes.push(node('Slice', ['xt', `s${i}${j}`, `e${i}${j}`, 'axes'], [`sl${i}${j}`]));
      altNodes.push(node('Reshape', [`sl${i}${j}`, 'cshape'], [`cm${i}${j}`]));
      altNodes.push(node('Gemm', ['dym', `cm${i}${j}`], [`g${i}${j}`], { transB: 1 }));
      altNodes.push(node('Unsqueeze', [`g${i}${j}`, 'axes'], [`u${i}${j}`]));
      parts.push(`u${i}${j}`);
    }
  }
  altNodes.push(node('Concat', parts, ['dwflat'], { axis: 2 }));
  const alt = graphOf(altNodes, { x: [n, c, hw, hw], dy: [n, m, hw, hw] }, ['dwflat']);
  for (const [name, v] of Object.entries(consts)) alt.graph.initializers.push({ name, dataType: DataType.INT64, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });
  const tAlt = k > 1 ? await time(alt, { x, dy }, ['dwflat']) : NaN;
  console.log(`${cfg.name}: forward ${tForward.toFixed(1)} ms | dX flipped-Conv ${tDx.toFixed(1)} ms vs ConvTranspose ${tCt.toFixed(1)} ms | dW slices+one Gemm ${tDw.toFixed(1)} ms vs Gemm per offset ${tAlt.toFixed(1)} ms`);
}
