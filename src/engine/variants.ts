/**
 * The graph variants the engine runs, generated from the forward model on demand: the forward graph
 * itself and backward graphs made by the autodiff driver (input gradient, guided gradient, activations
 * and gradients at a set of layers, weight gradients). Each is specialised to one image size.
 */
import { differentiate } from '../graph/autodiff/differentiate.js';
import type { Model, ValueInfo } from '../graph/ir.js';
import type { ShapeTable } from '../graph/shapes.js';
import type { ImageInput } from './inspect.js';
import { predictedTargetOutput, withPredictedTarget } from './predicted-target.js';

/** A variant request: what the graph must compute. */
export type VariantSpec =
  | { readonly kind: 'forward' }
  /** With `predicted`, each row explains its own arg-max class (no seed input; see predicted-target.ts). */
  | { readonly kind: 'input-gradient'; readonly guided: boolean; readonly predicted?: boolean }
  /** Activations and gradients at layers; with `inputGradient`, also d(target logit)/d(input) in the same pass. */
  | { readonly kind: 'layers'; readonly layers: readonly string[]; readonly inputGradient?: boolean; readonly predicted?: boolean }
  | { readonly kind: 'weights'; readonly training: boolean };

/** A generated variant: the names of the values to feed and fetch (the graph travels separately). */
export interface Variant {
  readonly id: string;
  /** Name of the one-hot seed input ([N, K]); undefined for the forward graph and predicted-target variants. */
  readonly seedInput: string | undefined;
  /** Output name of each row's predicted class (float), for predicted-target variants. */
  readonly predictedTarget: string | undefined;
  /** Output name of the logits. */
  readonly logits: string;
  /** Output name of d(target logit)/d(input), for input-gradient variants. */
  readonly inputGradient: string | undefined;
  /** Output names of activations and gradients per layer tensor, for layer variants. */
  readonly activations: Readonly<Record<string, string>>;
  readonly gradients: Readonly<Record<string, string>>;
  /** Weights whose gradients a weight variant outputs (constants of its graph), in the order the autodiff lists them. */
  readonly weightInputs: readonly string[];
}

/** A variant with its graph, as generated. */
export interface GeneratedVariant {
  readonly variant: Variant;
  readonly model: Model;
  readonly generateMs: number;
}

/** A stable id for a spec (layer sets are order-independent). */
export function variantId(spec: VariantSpec): string {
  switch (spec.kind) {
    case 'forward':
      return 'forward';
    case 'input-gradient':
      return `${spec.guided ? 'guided-gradient' : 'input-gradient'}${spec.predicted ? '+predicted' : ''}`;
    case 'layers':
      return `layers:${[...new Set(spec.layers)].sort().join('|')}${spec.inputGradient ? '+input' : ''}${spec.predicted ? '+predicted' : ''}`;
    case 'weights':
      return spec.training ? 'weights-training' : 'weights-inference';
  }
}

/** The model with its image input's spatial dims fixed to `size` (batch left as it was). */
export function withImageSize(model: Model, input: ImageInput, size: readonly [number, number]): Model {
  const inputs: ValueInfo[] = model.graph.inputs.map((v) =>
    v.name === input.name ? { ...v, shape: [input.shape[0] ?? 'batch', input.channels, size[0], size[1]] } : v,
  );
  return { ...model, graph: { ...model.graph, inputs } };
}

/** Generates the graph for `spec` from the forward model (already fixed to one image size) with `classes` logits. */
export function generateVariant(
  model: Model,
  input: ImageInput,
  logits: string,
  classes: number,
  spec: VariantSpec,
  shapes: ShapeTable | undefined,
): GeneratedVariant {
  const t0 = performance.now();
  const id = variantId(spec);
  if (spec.kind === 'forward') {
    const outputs = model.graph.outputs.filter((o) => o.name === logits);
    const variant: Variant = { id, seedInput: undefined, predictedTarget: undefined, logits, inputGradient: undefined, activations: {}, gradients: {}, weightInputs: [] };
    return { variant, model: { ...model, graph: { ...model.graph, outputs } }, generateMs: performance.now() - t0 };
  }
  const shapeOption = shapes ? { shapes } : {};
  const result =
    spec.kind === 'input-gradient'
      ? differentiate(model, { output: logits, inputs: [input.name], mode: { guided: spec.guided }, ...shapeOption })
      : spec.kind === 'layers'
        ? differentiate(model, { output: logits, tensors: [...new Set(spec.layers)], ...(spec.inputGradient ? { inputs: [input.name] } : {}), ...shapeOption })
        : differentiate(model, { output: logits, weights: true, mode: { training: spec.training }, ...shapeOption });
  const predicted = spec.kind !== 'weights' && spec.predicted === true;
  const variant: Variant = {
    id,
    seedInput: predicted ? undefined : result.seedInput,
    predictedTarget: predicted ? predictedTargetOutput : undefined,
    logits,
    inputGradient: spec.kind === 'input-gradient' || (spec.kind === 'layers' && spec.inputGradient) ? result.gradients[input.name] : undefined,
    activations: result.activations,
    gradients: result.gradients,
    weightInputs: result.weightInputs,
  };
  const graph = predicted ? withPredictedTarget(result.model, result.seedInput, logits, classes) : spec.kind === 'weights' ? weightsAsConstants(result.model, model, result.weightInputs) : result.model;
  return { variant, model: graph, generateMs: performance.now() - t0 };
}

/**
 * The weight-gradient graph with the weights back as initializers. The autodiff turns them into inputs
 * (a trainer changes them every step), but the engine's model never changes its weights, and as constants
 * onnxruntime folds the input-gradient Convs' weight flips and runs every Conv on its NCHWc kernels, which
 * it only does for constant weights.
 */
function weightsAsConstants(graph: Model, forward: Model, weights: readonly string[]): Model {
  const names = new Set(weights);
  const initializers = forward.graph.initializers.filter((t) => names.has(t.name));
  return {
    ...graph,
    graph: { ...graph.graph, inputs: graph.graph.inputs.filter((v) => !names.has(v.name)), initializers: [...graph.graph.initializers, ...initializers] },
  };
}
