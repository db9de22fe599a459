/**
 * Turns a backward graph's one-hot seed input into the one-hot of each row's own arg-max logit, so that
 * "explain the predicted class" is one pass instead of a forward pass for the prediction and then the
 * backward graph. ArgMax keeps the first of tied maxima, as `argmaxRows` does. The predicted class is
 * also an output (as float, so it gathers like every other output).
 */
import { DataType, defaultOpset, type Model, type Node, type Tensor } from '../graph/ir.js';

/** Name of the added output holding each row's predicted class. */
export const predictedTargetOutput = 'heatcheck_predicted_target';

/** OneHot needs opset 9; older graphs keep the fed seed (the caller predicts first). */
export function supportsPredictedTarget(model: Model): boolean {
  return defaultOpset(model) >= 9;
}

/** `model` with `seedInput` computed in-graph from `logits` ([N, K]) and the predicted class as an output. */
export function withPredictedTarget(model: Model, seedInput: string, logits: string, classes: number): Model {
  const g = model.graph;
  const seed = g.inputs.find((v) => v.name === seedInput);
  const seedType = seed?.elemType === DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
  const p = 'heatcheck_predicted/';
  const constants: Tensor[] = [
    { name: `${p}depth`, dataType: DataType.INT64, dims: [], data: new BigInt64Array([BigInt(classes)]) },
    { name: `${p}values`, dataType: seedType, dims: [2], data: seedType === DataType.DOUBLE ? new Float64Array([0, 1]) : new Float32Array([0, 1]) },
  ];
  const node = (opType: string, inputs: string[], output: string, attributes: Node['attributes'] = {}): Node => ({
    name: output,
    opType,
    domain: '',
    inputs,
    outputs: [output],
    attributes,
  });
  const index = `${p}index`;
  const nodes: Node[] = [
    node('ArgMax', [logits], index, { axis: { type: 'int', value: 1 }, keepdims: { type: 'int', value: 0 } }),
    node('OneHot', [index, `${p}depth`, `${p}values`], seedInput, { axis: { type: 'int', value: -1 } }),
    node('Cast', [index], predictedTargetOutput, { to: { type: 'int', value: DataType.FLOAT } }),
  ];
  // The seed's consumers are in the backward half, after the logits: place the new nodes right after
  // the logits' producer so the node list stays topologically sorted.
  const producer = g.nodes.findIndex((n) => n.outputs.includes(logits));
  const at = producer + 1;
  return {
    ...model,
    graph: {
      ...g,
      nodes: [...g.nodes.slice(0, at), ...nodes, ...g.nodes.slice(at)],
      initializers: [...g.initializers, ...constants],
      inputs: g.inputs.filter((v) => v.name !== seedInput),
      outputs: [...g.outputs, { name: predictedTargetOutput, elemType: DataType.FLOAT, shape: [seed?.shape?.[0] ?? 'batch'] }],
    },
  };
}
