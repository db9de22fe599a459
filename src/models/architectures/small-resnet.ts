/**
 * A small residual network (He et al. 2016, https://arxiv.org/abs/1512.03385), the demo's second
 * architecture: a different topology from the small CNN's plain conv stack, so the reproducibility
 * criterion compares two architectures. A strided 3x3 conv stem (`conv1`), then four stages `layer1` ...
 * `layer4` of ResNet basic blocks (conv-BN-ReLU, conv-BN, plus an identity or 1x1 conv-BN projection
 * shortcut, then ReLU), downsampling by strided convolutions instead of pooling, then the paper's head.
 * `layer4` keeps `layer3`'s resolution (output stride 8, as a dilated ResNet would), so Grad-CAM sees an
 * 8x8 map at 64 px. About 0.3M parameters at the default width.
 */
import { modelErrors } from '../messages.js';
import { NetBuilder } from '../net-builder.js';
import type { BuildOptions, BuiltModel } from '../architecture.js';
import { classifierModel, minusOneOne } from './head.js';

/** Options of the small ResNet on top of the common ones. */
export interface SmallResNetOptions extends BuildOptions {
  /** Filters of the stem and `layer1` (default 16), doubling in `layer2`-`layer4`. */
  readonly width?: number;
  /** Basic blocks per stage (default 1). */
  readonly depth?: number;
  /** Input channels (default 1: the grayscale image itself). */
  readonly channels?: number;
}

/** Downsampling of the Grad-CAM layer (`layer4`): the stem, `layer2` and `layer3` each halve the resolution. */
export const SMALL_RESNET_STRIDE = 8;

/** Stride of each stage's first block. */
const STAGE_STRIDES = [1, 2, 2, 1] as const;

/**
 * Builds the small ResNet (default input 128; any multiple of 8, so every strided stage halves exactly and
 * shortcuts line up). BatchNorm momentum 0.9 so running statistics settle within a short training.
 */
export function buildSmallResNet(options: SmallResNetOptions = {}): BuiltModel {
  const size = options.inputSize ?? 128;
  if (!Number.isInteger(size) || size < SMALL_RESNET_STRIDE || size % SMALL_RESNET_STRIDE !== 0) throw modelErrors.inputNotMultiple('small-resnet', size, SMALL_RESNET_STRIDE);
  const width = options.width ?? 16;
  if (!Number.isInteger(width) || width < 1) throw modelErrors.badOption('width', width, 'a positive integer');
  const depth = options.depth ?? 1;
  if (!Number.isInteger(depth) || depth < 1) throw modelErrors.badOption('depth', depth, 'a positive integer');
  const channels = options.channels ?? 1;
  if (!Number.isInteger(channels) || channels < 1) throw modelErrors.badOption('channels', channels, 'a positive integer');
  const seed = options.seed ?? 0;
  const initializer = options.initializer ?? 'keras';
  const net = new NetBuilder({ seed, initializer, name: 'small-resnet' });
  const g = net.graph;
  const batchNorm = { scale: true, epsilon: 1e-3, momentum: 0.9 };
  const unit = (x: string, filters: number, kernel: number, strides: number, name: string, relu = true) =>
    net.convUnit(x, { filters, kernel, strides, padding: 'same', name, batchNorm, relu });

  const input = g.imageInput('input', channels, size, size);
  // The stem is a randomization block of its own, so the last cascading state re-initialises every weight.
  let x = net.inBlock('conv1', () => g.identity(unit(input, width, 3, 2, 'conv'), '/conv1'));
  const order: { name: string; output: string }[] = [{ name: 'conv1', output: 'conv1' }];
  STAGE_STRIDES.forEach((stageStride, s) => {
    const stage = `layer${s + 1}`;
    const filters = width * 2 ** s;
    x = net.inBlock(stage, () => {
      let y = x;
      for (let b = 0; b < depth; b++) {
        const stride = b === 0 ? stageStride : 1;
        y = g.scope(`block${b + 1}`, () => {
          const a = unit(y, filters, 3, stride, 'conv1');
          const c = unit(a, filters, 3, 1, 'conv2', false);
          const shortcut = stride !== 1 || net.channels(y) !== filters ? unit(y, filters, 1, stride, 'downsample', false) : y;
          return g.relu(g.add(c, shortcut, 'add'), 'relu');
        });
      }
      return g.identity(y, `/${stage}`);
    });
    order.unshift({ name: stage, output: stage });
  });
  return classifierModel(net, {
    architecture: 'small-resnet',
    docString: 'heatcheck small ResNet',
    inputName: input,
    features: x,
    classes: options.classes ?? 2,
    size,
    preprocessing: minusOneOne(channels),
    blocks: order,
    camLayer: 'layer4',
    initializer,
    seed,
    settings: { width, depth, channels },
  });
}
