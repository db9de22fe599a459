/**
 * DenseNet121 (Huang et al. 2017, https://arxiv.org/abs/1608.06993) in the Keras layout
 * (`keras.applications.densenet`: conv without bias, BatchNorm with gamma, epsilon 1.001e-5), with the
 * dense blocks and transitions named as torchvision names them (`denseblock1` ... `denseblock4`,
 * `transition1` ... `transition3`, final `norm5`), and the paper's head. 7,037,504 parameters without the
 * head (BN statistics included), as Keras reports.
 */
import { modelErrors } from '../messages.js';
import { NetBuilder } from '../net-builder.js';
import type { BuildOptions, BuiltModel } from '../architecture.js';
import { classifierModel } from './head.js';

/** Dense layers per block of DenseNet121. */
const LAYERS = [6, 12, 24, 16] as const;
const GROWTH = 32;
const BN = { epsilon: 1.001e-5, momentum: 0.99 };

/** Smallest input: the network downsamples by 32. */
export const DENSENET121_MIN_SIZE = 32;

/** Builds DenseNet121 at any input size >= 32 (default 320). Preprocessing: ImageNet mean/std after /255, as the paper's scripts. */
export function buildDenseNet121(options: BuildOptions = {}): BuiltModel {
  const size = options.inputSize ?? 320;
  if (size < DENSENET121_MIN_SIZE) throw modelErrors.inputTooSmall('densenet121', size, DENSENET121_MIN_SIZE);
  const seed = options.seed ?? 0;
  const initializer = options.initializer ?? 'keras';
  const net = new NetBuilder({ seed, initializer, name: 'densenet121' });
  const g = net.graph;
  const bnRelu = (x: string, name: string) => g.relu(net.batchNorm(x, { name, ...BN }), `${name}/relu`);

  const input = g.imageInput('input', 3, size, size);
  let x = net.inBlock('stem', () => {
    const c = g.conv(input, { filters: 64, kernel: 7, strides: 2, padding: 3, bias: false, name: 'conv0' });
    const r = bnRelu(c, 'norm0');
    return g.maxPool(r, { kernel: 3, strides: 2, padding: 1, name: 'pool0' });
  });
  const order: { name: string; output: string }[] = [];
  LAYERS.forEach((layers, b) => {
    const block = `denseblock${b + 1}`;
    x = net.inBlock(block, () => {
      let y = x;
      for (let l = 1; l <= layers; l++) {
        y = g.scope(`denselayer${l}`, () => {
          let h = bnRelu(y, 'norm1');
          h = g.conv(h, { filters: 4 * GROWTH, kernel: 1, bias: false, name: 'conv1' });
          h = bnRelu(h, 'norm2');
          h = g.conv(h, { filters: GROWTH, kernel: 3, padding: 'same', bias: false, name: 'conv2' });
          return g.concat([y, h], 1, 'concat');
        });
      }
      if (b === LAYERS.length - 1) y = bnRelu(y, '/norm5');
      return g.identity(y, `/${block}`);
    });
    order.unshift({ name: block, output: block });
    if (b < LAYERS.length - 1) {
      const transition = `transition${b + 1}`;
      x = net.inBlock(transition, () => {
        const h = bnRelu(x, 'norm');
        const c = g.conv(h, { filters: Math.floor(net.channels(x) * 0.5), kernel: 1, bias: false, name: 'conv' });
        return g.averagePool(c, { kernel: 2, strides: 2, name: `/${transition}` });
      });
      order.unshift({ name: transition, output: transition });
    }
  });
  return classifierModel(net, {
    architecture: 'densenet121',
    docString: 'DenseNet121 (Keras layout, torchvision block names) built by heatcheck',
    inputName: input,
    features: x,
    classes: options.classes ?? 2,
    size,
    preprocessing: { channels: 3, normalization: 'imagenet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    blocks: order,
    floor: { name: 'stem', output: 'pool0' },
    camLayer: 'denseblock4',
    initializer,
    seed,
    settings: {},
  });
}
