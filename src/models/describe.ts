/**
 * `describeModel`: what `heatcheck models describe` prints, as data: the layers with their output
 * shapes, parameter counts (BatchNorm statistics included, with and without the head), the Grad-CAM layer
 * and the randomization blocks with what each owns.
 */
import type { Dim, Model } from '../graph/ir.js';
import { inferShapes } from '../graph/shapes.js';
import { backboneParameterCount, parameterCount, type BuiltModel, type RandomizationBlock } from './architecture.js';
import { BLOCKS_METADATA_KEY, detectBlocks } from './block-detection.js';
import type { ModelCard } from './card.js';
import { parameterRecordsOf } from './imported.js';
import { isTrainable } from './training/training-graph.js';
import type { ParameterRecord } from './net-builder.js';

/** One layer (graph node) in the description. */
export interface LayerDescription {
  readonly name: string;
  readonly op: string;
  /** Output shape, batch symbolic; undefined when static inference does not know it. */
  readonly shape: readonly Dim[] | undefined;
  /** Values in the node's parameters. */
  readonly parameters: number;
}

/** A model described. */
export interface ModelDescription {
  readonly name: string;
  readonly architecture: string;
  readonly task: string;
  readonly input: { readonly name: string; readonly shape: readonly Dim[] };
  readonly output: string;
  readonly parameters: { readonly total: number; readonly trainable: number; readonly statistics: number; readonly withoutHead: number | undefined };
  readonly gradCamLayer: string | undefined;
  /** Where the blocks came from: the card, heatcheck's own build, or a recognised export family. */
  readonly blockSource: string | undefined;
  /** Why blocks are unknown, when they are. */
  readonly blockProblem?: string;
  readonly blocks: readonly { readonly name: string; readonly output?: string; readonly initializers: number; readonly parameters: number }[];
  readonly opCounts: Readonly<Record<string, number>>;
  readonly layers: readonly LayerDescription[];
}

function summarise(model: Model, parameters: readonly ParameterRecord[], blocks: readonly RandomizationBlock[]) {
  const sizes = new Map(parameters.map((p) => [p.name, p.dims.reduce((a, b) => a * b, 1)]));
  const shapes = inferShapes(model);
  const opCounts: Record<string, number> = {};
  const layers: LayerDescription[] = model.graph.nodes.map((n) => {
    opCounts[n.opType] = (opCounts[n.opType] ?? 0) + 1;
    return { name: n.name, op: n.opType, shape: shapes.get(n.outputs[0] ?? '')?.dims, parameters: n.inputs.reduce((a, i) => a + (sizes.get(i) ?? 0), 0) };
  });
  const blockList = blocks.map((b) => ({ name: b.name, ...(b.output ? { output: b.output } : {}), initializers: b.initializers.length, parameters: b.initializers.reduce((a, i) => a + (sizes.get(i) ?? 0), 0) }));
  return { opCounts, layers, blockList };
}

/** Describes a model heatcheck built. */
export function describeBuilt(built: BuiltModel): ModelDescription {
  const { opCounts, layers, blockList } = summarise(built.model, built.parameters, built.blocks);
  const trainable = parameterCount(built.parameters.filter(isTrainable));
  const input = built.model.graph.inputs.find((v) => v.name === built.inputName);
  return {
    name: built.architecture,
    architecture: built.architecture,
    task: built.task,
    input: { name: built.inputName, shape: input?.shape ?? [] },
    output: built.outputName,
    parameters: { total: parameterCount(built.parameters), trainable, statistics: parameterCount(built.parameters) - trainable, withoutHead: backboneParameterCount(built) },
    gradCamLayer: built.camLayer,
    blockSource: 'heatcheck',
    blocks: blockList,
    opCounts,
    layers,
  };
}

/** Describes an ONNX model (blocks from its card when given, else detected; unknown blocks are reported, not thrown). */
export function describeOnnx(model: Model, options: { name: string; card?: ModelCard }): ModelDescription {
  const parameters = parameterRecordsOf(model);
  let blocks: readonly RandomizationBlock[] = [];
  let blockSource: string | undefined;
  let blockProblem: string | undefined;
  let camLayer = options.card?.gradCamLayer;
  if (options.card) {
    blocks = options.card.randomization.blocks;
    blockSource = 'model card';
  } else {
    try {
      const detected = detectBlocks(model, options.name);
      blocks = detected.blocks;
      blockSource = detected.family;
      camLayer ??= detected.camLayer;
    } catch (error) {
      blockProblem = (error as Error).message;
    }
  }
  const { opCounts, layers, blockList } = summarise(model, parameters, blocks);
  const trainable = parameterCount(parameters.filter(isTrainable));
  const head = blocks.find((b) => b.name === 'logits');
  const headSet = new Set(head?.initializers ?? []);
  const initializerNames = new Set(model.graph.initializers.map((t) => t.name));
  const input = model.graph.inputs.find((v) => !initializerNames.has(v.name));
  const architecture = model.metadata.find((m) => m.key === 'heatcheck.architecture')?.value ?? options.card?.architecture ?? 'imported';
  return {
    name: options.name,
    architecture,
    task: options.card?.task ?? 'classification',
    input: { name: input?.name ?? '?', shape: input?.shape ?? [] },
    output: model.graph.outputs[0]?.name ?? '?',
    parameters: {
      total: parameterCount(parameters),
      trainable,
      statistics: parameterCount(parameters) - trainable,
      withoutHead: head ? parameterCount(parameters.filter((p) => !headSet.has(p.name))) : undefined,
    },
    gradCamLayer: camLayer,
    blockSource,
    ...(blockProblem ? { blockProblem } : {}),
    blocks: blockList,
    opCounts,
    layers,
  };
}

/** The model a built architecture exports: its graph with the architecture and block outputs in the metadata, so the file describes itself. */
export function exportableModel(built: BuiltModel): Model {
  const blocks: { name: string; output: string; randomized?: false }[] = built.blocks.map((b) => ({ name: b.name, output: b.output ?? '' })).filter((b) => b.output);
  if (built.floor) blocks.push({ ...built.floor, randomized: false });
  const metadata = [
    ...built.model.metadata.filter((m) => m.key !== BLOCKS_METADATA_KEY && m.key !== 'heatcheck.architecture'),
    { key: 'heatcheck.architecture', value: built.architecture },
    { key: BLOCKS_METADATA_KEY, value: JSON.stringify(blocks) },
  ];
  return { ...built.model, metadata };
}
