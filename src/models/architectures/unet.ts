/**
 * U-Net (Ronneberger et al. 2015, https://arxiv.org/abs/1505.04597), the segmentation baseline: an
 * encoder of conv-BN-ReLU pairs with max pooling, a decoder of 2x2 transposed convolutions with skip
 * concatenations, and a 1x1 conv to one channel (`mask_logits`) followed by a sigmoid (`probability`).
 * Padding is `same`, so the output map has the input's size (a multiple of 2^depth).
 */
import { modelErrors } from '../messages.js';
import { NetBuilder } from '../net-builder.js';
import { blocksFrom, type BuildOptions, type BuiltModel } from '../architecture.js';
import { minusOneOne } from './head.js';

/** Options of the U-Net on top of the common ones. */
export interface UnetOptions extends BuildOptions {
  /** Filters of the first level, doubling per level (default 16; the original paper uses 64). */
  readonly width?: number;
  /** Pooling steps (default 4). */
  readonly depth?: number;
  /** Input channels (default 3). */
  readonly channels?: number;
}

/** Builds the U-Net (default input 128); the input size must be a multiple of 2^depth. */
export function buildUnet(options: UnetOptions = {}): BuiltModel {
  const size = options.inputSize ?? 128;
  const depth = options.depth ?? 4;
  const width = options.width ?? 16;
  const channels = options.channels ?? 3;
  if (!Number.isInteger(depth) || depth < 1 || depth > 6) throw modelErrors.badOption('depth', depth, 'an integer from 1 to 6');
  if (!Number.isInteger(width) || width < 1) throw modelErrors.badOption('width', width, 'a positive integer');
  if (size % 2 ** depth !== 0 || size < 2 ** depth) throw modelErrors.badOption('inputSize', size, `a multiple of ${2 ** depth} (2^depth)`);
  const seed = options.seed ?? 0;
  const initializer = options.initializer ?? 'he';
  const net = new NetBuilder({ seed, initializer, name: 'unet' });
  const g = net.graph;
  const bn = { scale: true, epsilon: 1e-3, momentum: 0.9 };
  const pair = (x: string, filters: number) => {
    const a = net.convUnit(x, { filters, kernel: 3, name: 'conv1', batchNorm: bn });
    return net.convUnit(a, { filters, kernel: 3, name: 'conv2', batchNorm: bn });
  };
  const input = g.imageInput('input', channels, size, size);
  const skips: string[] = [];
  let x = input;
  const order: { name: string; output: string }[] = [];
  for (let level = 0; level < depth; level++) {
    const block = `encoder${level + 1}`;
    x = net.inBlock(block, () => {
      const y = g.identity(pair(x, width * 2 ** level), `/${block}`);
      skips.push(y);
      return g.maxPool(y, { kernel: 2, strides: 2, name: 'pool' });
    });
    order.unshift({ name: block, output: block });
  }
  x = net.inBlock('bottleneck', () => g.identity(pair(x, width * 2 ** depth), '/bottleneck'));
  order.unshift({ name: 'bottleneck', output: 'bottleneck' });
  for (let level = depth - 1; level >= 0; level--) {
    const block = `decoder${level + 1}`;
    x = net.inBlock(block, () => {
      const up = g.convTranspose(x, { filters: width * 2 ** level, kernel: 2, strides: 2, name: 'up' });
      return g.identity(pair(g.concat([skips[level]!, up], 1, 'concat'), width * 2 ** level), `/${block}`);
    });
    order.unshift({ name: block, output: block });
  }
  const logits = net.inBlock('logits', () => g.conv(x, { filters: 1, kernel: 1, bias: true, name: '/mask_logits' }), false);
  const probability = g.output(g.sigmoid(logits, '/probability'));
  return {
    architecture: 'unet',
    task: 'segmentation',
    model: g.build({ docString: 'heatcheck U-Net' }),
    inputName: input,
    outputName: probability,
    trainOutput: logits,
    inputSize: [size, size],
    preprocessing: minusOneOne(channels),
    parameters: net.parameters,
    blocks: blocksFrom(net, [{ name: 'logits', output: logits }, ...order]),
    camLayer: undefined,
    initializer,
    seed,
    settings: { width, depth, channels },
  };
}
