/**
 * The classifier head of the paper: global average pooling, then Dense(classes) giving the logits
 * (softmax is applied by the loss, so saliency methods explain the pre-softmax logit as the paper does).
 */
import { blocksFrom, type BuiltModel } from '../architecture.js';
import type { NetBuilder } from '../net-builder.js';

/** Appends GAP -> Dense(classes) named `logits` (block `logits`) and marks it as the graph output. */
export function classifierHead(net: NetBuilder, features: string, classes: number): string {
  return net.inBlock(
    'logits',
    () => {
      const pooled = net.graph.globalAveragePool(features, { flatten: true, name: '/avg_pool' });
      const logits = net.graph.dense(pooled, classes, { name: '/logits' });
      return net.graph.output(logits);
    },
    false,
  );
}

/** The `minus-one-one` preprocessing with the given channel count. */
export function minusOneOne(channels: number): { channels: number; normalization: 'minus-one-one' } {
  return { channels, normalization: 'minus-one-one' };
}

/** What a classifier architecture knows once its feature extractor is built. */
export interface ClassifierSpec {
  readonly architecture: BuiltModel['architecture'];
  readonly docString: string;
  readonly inputName: string;
  /** The last feature map, fed to the head. */
  readonly features: string;
  readonly classes: number;
  readonly size: number;
  readonly preprocessing: BuiltModel['preprocessing'];
  /** Randomization blocks below the head, from the top down (the head's `logits` block is added first). */
  readonly blocks: readonly { name: string; output?: string }[];
  readonly floor?: BuiltModel['floor'];
  readonly camLayer: string;
  readonly initializer: BuiltModel['initializer'];
  readonly seed: number;
  readonly settings: BuiltModel['settings'];
}

/** Appends the classifier head and returns the built classifier with its facts. */
export function classifierModel(net: NetBuilder, spec: ClassifierSpec): BuiltModel {
  const logits = classifierHead(net, spec.features, spec.classes);
  return {
    architecture: spec.architecture,
    task: 'classification',
    model: net.graph.build({ docString: spec.docString }),
    inputName: spec.inputName,
    outputName: logits,
    trainOutput: logits,
    inputSize: [spec.size, spec.size],
    preprocessing: spec.preprocessing,
    parameters: net.parameters,
    blocks: blocksFrom(net, [{ name: 'logits', output: logits }, ...spec.blocks]),
    ...(spec.floor ? { floor: spec.floor } : {}),
    camLayer: spec.camLayer,
    initializer: spec.initializer,
    seed: spec.seed,
    settings: spec.settings,
  };
}
