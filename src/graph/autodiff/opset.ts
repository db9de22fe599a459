/**
 * The opset a gradient graph is written in. Graphs declared at opset 13-15 that contain MaxPool are
 * raised to 16, whose ScatterElements accumulates (reduction "add"): MaxPool's gradient is then one
 * scatter instead of a gather/scatter pair per non-overlapping window class, each copying the whole input
 * (11% of InceptionV3's input-gradient time at opset 13, measured). From 13 to 16 the default-domain ops
 * only gained types and attributes with backward-compatible defaults, except those listed in `unsafe`.
 */
import { defaultOpset, type Model } from '../ir.js';

/** Ops whose meaning changed between opsets 13 and 16 (or that carry subgraphs): their graphs are left alone. */
const unsafe = new Set(['RoiAlign', 'If', 'Loop', 'Scan']);

/** Whether a node's outputs rely on opset < 14 training-mode BatchNormalization (optional statistics outputs). */
function legacyTrainingBatchNorm(model: Model): boolean {
  return model.graph.nodes.some((n) => n.opType === 'BatchNormalization' && n.outputs.slice(1).some((o) => o !== ''));
}

/** The default-domain opset for the gradient graph of `model`. */
export function gradientOpset(model: Model): number {
  const declared = defaultOpset(model);
  if (declared < 13 || declared >= 16) return declared;
  const nodes = model.graph.nodes;
  if (!nodes.some((n) => n.opType === 'MaxPool')) return declared;
  if (nodes.some((n) => (n.domain === '' || n.domain === 'ai.onnx') && unsafe.has(n.opType)) || legacyTrainingBatchNorm(model)) return declared;
  return 16;
}

/** `model` with its default-domain opset import set to `version` (other domains unchanged). */
export function withDefaultOpset(model: Model, version: number): Model {
  if (defaultOpset(model) === version) return model;
  const opsetImports = model.opsetImports.map((o) => (o.domain === '' || o.domain === 'ai.onnx' ? { ...o, version } : o));
  return { ...model, opsetImports };
}
