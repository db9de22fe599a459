/**
 * The classifier head of the paper: global average pooling, then Dense(classes) giving the logits
 * (softmax is applied by the loss, so saliency methods explain the pre-softmax logit as the paper does).
 */
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
