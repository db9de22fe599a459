/**
 * What every built architecture hands back: the ONNX model plus the facts a model card, the trainer and
 * cascading randomization need (parameters by block, the tensor to train, the Grad-CAM layer, the input
 * preprocessing).
 */
import type { Model } from '../graph/ir.js';
import type { InitializerKind, NetBuilder, ParameterRecord } from './net-builder.js';

/** The architectures heatcheck builds. */
export type ArchitectureId = 'inceptionv3' | 'densenet121' | 'small-cnn' | 'small-resnet' | 'unet' | 'retinanet';

/** A built architecture, or a model imported from an ONNX file. */
export type ModelSource = ArchitectureId | 'imported';

/** What a model predicts. */
export type ModelTask = 'classification' | 'segmentation' | 'detection';

/** How a grayscale image in [0, 1] becomes the network input. */
export interface Preprocessing {
  /** Input channels; grayscale is replicated into each. */
  readonly channels: number;
  /** `minus-one-one`: x * 2 - 1 (Keras `inception_v3.preprocess_input`); `imagenet`: (x - mean) / std per channel. */
  readonly normalization: 'minus-one-one' | 'imagenet';
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
}

/** A unit of cascading randomization: the initializers it owns and the tensor it ends at. */
export interface RandomizationBlock {
  readonly name: string;
  /** The block's output tensor (e.g. the `mixed10` concatenation), when it has one. */
  readonly output?: string;
  readonly initializers: readonly string[];
}

/** Common build options. */
export interface BuildOptions {
  /** Input height = width in pixels (default: the architecture's own, e.g. 320 for InceptionV3). */
  readonly inputSize?: number;
  /** Seed of every initial weight (default 0). */
  readonly seed?: number;
  /** Initialiser family (default `keras`: Glorot-uniform kernels, zero bias, BN gamma 1 beta 0, mean 0, var 1). */
  readonly initializer?: InitializerKind;
  /** Classes of the classification head (default 2). */
  readonly classes?: number;
}

/** A built network and its facts. */
export interface BuiltModel {
  readonly architecture: ModelSource;
  readonly task: ModelTask;
  readonly model: Model;
  readonly inputName: string;
  /** The graph output users read (logits, probabilities, or the detection head). */
  readonly outputName: string;
  /** The tensor the loss is computed on (logits or pre-sigmoid scores). */
  readonly trainOutput: string;
  readonly inputSize: readonly [number, number];
  readonly preprocessing: Preprocessing;
  readonly parameters: readonly ParameterRecord[];
  /** Randomization blocks from the top (output side) down; `stem` parts are never listed. */
  readonly blocks: readonly RandomizationBlock[];
  /** The boundary below the lowest randomized block (e.g. InceptionV3's `mixed0`), so a saved model's blocks can be recovered by graph topology. */
  readonly floor?: { readonly name: string; readonly output: string };
  /** The default Grad-CAM layer (classifiers). */
  readonly camLayer: string | undefined;
  readonly initializer: InitializerKind;
  readonly seed: number;
  /** Architecture-specific settings (e.g. RetinaNet anchors), recorded on the card. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** Groups recorded parameters into blocks, in the given top-down order, with each block's output tensor. */
export function blocksFrom(net: NetBuilder, order: readonly { name: string; output?: string }[]): RandomizationBlock[] {
  return order.map(({ name, output }) => ({
    name,
    ...(output ? { output } : {}),
    initializers: net.parameters.filter((p) => p.block === name).map((p) => p.name),
  }));
}

/** Number of values in recorded parameters (trainable weights and BatchNorm statistics). */
export function parameterCount(parameters: readonly ParameterRecord[]): number {
  let n = 0;
  for (const p of parameters) n += p.dims.reduce((a, b) => a * b, 1);
  return n;
}

/** Parameters of `built` outside its head (the `logits` block): the Keras `include_top=False` count. */
export function backboneParameterCount(built: Pick<BuiltModel, 'parameters'>): number {
  return parameterCount(built.parameters.filter((p) => p.block !== 'logits'));
}

/** Re-export for builders. */
export type { ParameterRecord };
