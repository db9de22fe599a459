/**
 * A small, fast CNN for tests, the demo and label-randomization runs: five conv-BN-ReLU blocks
 * (`block1` ... `block5`, the first strided, max pooling after blocks 2-4, or 2-3 with output stride 8),
 * then the paper's head. About 0.3M parameters; trains on 128x128 phantoms in minutes on two cores.
 */
import { modelErrors } from '../messages.js';
import { NetBuilder } from '../net-builder.js';
import type { BuildOptions, BuiltModel } from '../architecture.js';
import { classifierModel, minusOneOne } from './head.js';

/** Options of the small CNN on top of the common ones. */
export interface SmallCnnOptions extends BuildOptions {
  /** Filters of block 1 (doubling up to block 4; default 16). */
  readonly width?: number;
  /** Input channels (default 1: the grayscale image itself, a third of the first layer's cost of 3 replicated channels). */
  readonly channels?: number;
  /**
   * Downsampling of the last block, the Grad-CAM layer (default 16). 8 drops the pooling after block 4, so
   * Grad-CAM sees an 8x8 map at 64 px instead of 4x4 (for small inputs such as the demo's), at about 1.4x the compute.
   */
  readonly outputStride?: 8 | 16;
}

/** Smallest input: the network downsamples by 16 (by default). */
export const SMALL_CNN_MIN_SIZE = 16;

/** Builds the small CNN (default input 128). BatchNorm momentum 0.9 so running statistics settle within a short training. */
export function buildSmallCnn(options: SmallCnnOptions = {}): BuiltModel {
  const size = options.inputSize ?? 128;
  const outputStride = options.outputStride ?? 16;
  if (outputStride !== 8 && outputStride !== 16) throw modelErrors.badOption('outputStride', outputStride, '8 or 16');
  if (size < outputStride) throw modelErrors.inputTooSmall('small-cnn', size, outputStride);
  const width = options.width ?? 16;
  if (!Number.isInteger(width) || width < 1) throw modelErrors.badOption('width', width, 'a positive integer');
  const channels = options.channels ?? 1;
  const seed = options.seed ?? 0;
  const initializer = options.initializer ?? 'keras';
  const net = new NetBuilder({ seed, initializer, name: 'small-cnn' });
  const g = net.graph;
  const bn = { scale: true, epsilon: 1e-3, momentum: 0.9 };
  const input = g.imageInput('input', channels, size, size);
  const filters = [width, 2 * width, 4 * width, 8 * width, 8 * width];
  let x = input;
  const order: { name: string; output: string }[] = [];
  filters.forEach((f, i) => {
    const block = `block${i + 1}`;
    x = net.inBlock(block, () => {
      const y = net.convUnit(x, { filters: f, kernel: 3, strides: i === 0 ? 2 : 1, padding: 'same', name: 'conv', batchNorm: bn });
      const pooled = i >= 1 && i <= (outputStride === 16 ? 3 : 2);
      return pooled ? g.maxPool(y, { kernel: 2, strides: 2, name: `/${block}` }) : g.identity(y, `/${block}`);
    });
    order.unshift({ name: block, output: block });
  });
  return classifierModel(net, {
    architecture: 'small-cnn',
    docString: 'heatcheck small CNN',
    inputName: input,
    features: x,
    classes: options.classes ?? 2,
    size,
    preprocessing: minusOneOne(channels),
    blocks: order,
    camLayer: 'block5',
    initializer,
    seed,
    settings: { width, channels, ...(outputStride !== 16 ? { outputStride } : {}) },
  });
}
