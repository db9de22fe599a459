/**
 * Forward rewrite before differentiation: `MaxPool(Relu(z))` becomes `Relu(MaxPool(z))`.
 *
 * Max commutes with the monotone ReLU, so the values are identical, and so are the gradients: where a
 * window's maximum is positive both forms route the gradient to the same first-argmax position (ReLU
 * leaves positive values and their order alone), and where it is not, both give zero. The backward of the
 * rewritten form applies the ReLU mask at the pooled resolution (a quarter of the elements for a stride-2
 * pool) instead of the full one: on ResNet18's stem that is the mask of a 64x112x112 tensor per image.
 *
 * Not done in guided mode (the guided rule also drops negative incoming gradients, and a position under
 * overlapping windows receives the sum of several), nor where the ReLU output is needed elsewhere: a
 * second consumer, a graph output, or a requested tensor.
 */
import type { Node } from '../ir.js';
import type { ShapeEntry } from '../shapes.js';

/** Rewrites the node list in place order-preservingly; returns the number of pools rewritten. */
export function swapReluMaxPool(
  nodes: Node[],
  keep: ReadonlySet<string>,
  shapes: Map<string, ShapeEntry>,
  fresh: (base: string) => string,
): number {
  const producer = new Map<string, Node>();
  const consumers = new Map<string, number>();
  for (const n of nodes) {
    for (const o of n.outputs) if (o) producer.set(o, n);
    for (const i of n.inputs) if (i) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  }
  let count = 0;
  for (const pool of nodes.slice()) {
    if (pool.opType !== 'MaxPool' || pool.domain || pool.outputs.filter((o) => o).length !== 1) continue;
    const x = pool.inputs[0]!;
    const relu = producer.get(x);
    if (!relu || relu.opType !== 'Relu' || relu.domain || consumers.get(x) !== 1 || keep.has(x)) continue;
    const y = pool.outputs[0]!;
    const pooled = fresh(`${y}_before_relu`);
    const yShape = shapes.get(y);
    if (yShape) shapes.set(pooled, { dims: yShape.dims.slice(), dtype: yShape.dtype });
    pool.inputs[0] = relu.inputs[0]!;
    pool.outputs[0] = pooled;
    relu.inputs[0] = pooled;
    relu.outputs[0] = y;
    // The Relu now consumes the pool's output: move it to just after the pool.
    nodes.splice(nodes.indexOf(relu), 1);
    nodes.splice(nodes.indexOf(pool) + 1, 0, relu);
    count++;
  }
  return count;
}
