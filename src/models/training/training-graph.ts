/**
 * The training graph of a built model: forward (BatchNorm with batch statistics) + backward from the
 * loss, with the trainable weights, the BatchNorm running statistics and the loss targets as graph
 * inputs, and the weight gradients, updated running statistics and the raw output as graph outputs.
 * The loss gradient is computed inside the graph (see seed-graph.ts), so one run is one step.
 * Also the forward graph with every parameter as an input, to evaluate weights while they change.
 */
import { differentiate } from '../../graph/autodiff/differentiate.js';
import type { Model, ValueInfo } from '../../graph/ir.js';
import { inferShapes } from '../../graph/shapes.js';
import type { ParameterRecord } from '../net-builder.js';
import type { LossFunction } from './losses.js';
import { SeedEmitter } from './seed-graph.js';

/** Roles trained by gradient descent; the others (running mean/variance) are statistics. */
export function isTrainable(p: Pick<ParameterRecord, 'role'>): boolean {
  return p.role === 'weight' || p.role === 'bias' || p.role === 'scale' || p.role === 'shift';
}

/** A training graph and where each value is. */
export interface TrainingGraph {
  readonly model: Model;
  /** The raw output (the loss's input), fetched each step. */
  readonly output: string;
  readonly targets: readonly string[];
  readonly weights: readonly string[];
  readonly statistics: readonly string[];
  /** Weight name -> gradient output. */
  readonly gradients: Readonly<Record<string, string>>;
  /** Statistic name -> updated-value output. */
  readonly updates: Readonly<Record<string, string>>;
}

/** Builds the one-run training step graph of `model` for `loss` on tensor `output`. */
export function buildTrainingGraph(model: Model, output: string, parameters: readonly ParameterRecord[], loss: LossFunction): TrainingGraph {
  const weights = parameters.filter(isTrainable).map((p) => p.name);
  const statistics = parameters.filter((p) => !isTrainable(p)).map((p) => p.name);
  const shapes = inferShapes(model);
  const outputDims = shapes.get(output)?.dims ?? [];
  const withOutput = exposeTensor(model, output, outputDims);
  const seedInput = 'heatcheck_loss_seed';
  const diff = differentiate(withOutput, { output, seedInput, weights, mode: { training: true }, shapes });
  const graph = diff.model.graph;

  // Running statistics change every step, so they are inputs too.
  const statSet = new Set(statistics);
  const statInputs: ValueInfo[] = graph.initializers.filter((t) => statSet.has(t.name)).map((t) => ({ name: t.name, elemType: t.dataType, shape: t.dims.slice() }));
  const initializers = graph.initializers.filter((t) => !statSet.has(t.name));

  // The loss gradient replaces the seed input, computed from the output and the targets.
  const emitter = new SeedEmitter('heatcheck_loss');
  const targetDims = loss.targetDims(outputDims);
  const targets = targetDims.map((_, i) => `heatcheck_target_${i}`);
  emitter.op('Identity', [loss.emitGradient(emitter, output, targets)], {}, seedInput);
  const firstUse = graph.nodes.findIndex((n) => n.inputs.includes(seedInput));
  const nodes = firstUse < 0 ? [...graph.nodes, ...emitter.nodes] : [...graph.nodes.slice(0, firstUse), ...emitter.nodes, ...graph.nodes.slice(firstUse)];
  const inputs: ValueInfo[] = [
    ...graph.inputs.filter((v) => v.name !== seedInput),
    ...statInputs,
    ...targets.map((name, i) => ({ name, elemType: 1, shape: targetDims[i]! })),
  ];
  return {
    model: { ...diff.model, graph: { ...graph, nodes, inputs, initializers: [...initializers, ...emitter.constants] } },
    output,
    targets,
    weights: diff.weightInputs,
    statistics,
    gradients: diff.gradients,
    updates: diff.updates,
  };
}

/** The forward graph with every listed parameter turned into an input (values fed per run). */
export function parametersAsInputs(model: Model, names: readonly string[], extraOutputs: readonly string[] = []): Model {
  const set = new Set(names);
  const graph = model.graph;
  const inputs: ValueInfo[] = [
    ...graph.inputs,
    ...graph.initializers.filter((t) => set.has(t.name)).map((t) => ({ name: t.name, elemType: t.dataType, shape: t.dims.slice() })),
  ];
  let out: Model = { ...model, graph: { ...graph, inputs, initializers: graph.initializers.filter((t) => !set.has(t.name)) } };
  if (extraOutputs.length) {
    const shapes = inferShapes(model);
    for (const name of extraOutputs) out = exposeTensor(out, name, shapes.get(name)?.dims ?? []);
  }
  return out;
}

/** Adds `tensor` to the graph outputs when it is not one yet. */
function exposeTensor(model: Model, tensor: string, dims: readonly (number | string | null)[]): Model {
  if (model.graph.outputs.some((o) => o.name === tensor)) return model;
  return { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, { name: tensor, elemType: 1, shape: dims.length ? [...dims] : undefined }] } };
}
