/**
 * InceptionV3 in the Keras layout (Szegedy et al. 2016, https://arxiv.org/abs/1512.00567; the
 * `keras.applications.inception_v3` graph the paper used): convolutions without bias, BatchNorm without
 * gamma (epsilon 1e-3), blocks `mixed0` ... `mixed10`, then the paper's head (GAP -> Dense(2) `logits`).
 * 21,802,784 parameters without the head (BN statistics included), as Keras reports.
 */
import { modelErrors } from '../messages.js';
import { NetBuilder } from '../net-builder.js';
import type { BuildOptions, BuiltModel } from '../architecture.js';
import { classifierModel, minusOneOne } from './head.js';

/** Smallest input the stem's valid convolutions and pools accept (as Keras). */
export const INCEPTION_V3_MIN_SIZE = 75;

/** Builds InceptionV3 (Keras layout) at any input size >= 75 (default 320, the paper's). */
export function buildInceptionV3(options: BuildOptions = {}): BuiltModel {
  const size = options.inputSize ?? 320;
  if (size < INCEPTION_V3_MIN_SIZE) throw modelErrors.inputTooSmall('inceptionv3', size, INCEPTION_V3_MIN_SIZE);
  const seed = options.seed ?? 0;
  const initializer = options.initializer ?? 'keras';
  const net = new NetBuilder({ seed, initializer, name: 'inceptionv3' });
  const g = net.graph;
  const unit = (x: string, filters: number, rows: number, cols: number, name: string, strides = 1, padding: 'same' | 'valid' = 'same') =>
    net.convUnit(x, { filters, kernel: [rows, cols], strides, padding, name, batchNorm: { scale: false, epsilon: 1e-3 } });
  const avgPool = (x: string, name: string) => g.averagePool(x, { kernel: 3, strides: 1, padding: 'same', name });
  const maxPool = (x: string, name: string) => g.maxPool(x, { kernel: 3, strides: 2, padding: 'valid', name });

  const input = g.imageInput('input', 3, size, size);
  let x = net.inBlock(
    'stem',
    () => {
      let y = unit(input, 32, 3, 3, 'conv1', 2, 'valid');
      y = unit(y, 32, 3, 3, 'conv2', 1, 'valid');
      y = unit(y, 64, 3, 3, 'conv3');
      y = maxPool(y, 'pool1');
      y = unit(y, 80, 1, 1, 'conv4', 1, 'valid');
      y = unit(y, 192, 3, 3, 'conv5', 1, 'valid');
      return maxPool(y, 'pool2');
    },
  );

  // mixed0-2: 35x35 (pool branch 32 filters in mixed0, 64 after).
  for (let i = 0; i <= 2; i++) {
    const name = `mixed${i}`;
    x = net.inBlock(name, () => {
      const b1 = unit(x, 64, 1, 1, 'branch1x1');
      let b5 = unit(x, 48, 1, 1, 'branch5x5_1');
      b5 = unit(b5, 64, 5, 5, 'branch5x5_2');
      let b3 = unit(x, 64, 1, 1, 'branch3x3dbl_1');
      b3 = unit(b3, 96, 3, 3, 'branch3x3dbl_2');
      b3 = unit(b3, 96, 3, 3, 'branch3x3dbl_3');
      const bp = unit(avgPool(x, 'branch_pool_avg'), i === 0 ? 32 : 64, 1, 1, 'branch_pool');
      return g.concat([b1, b5, b3, bp], 1, `/${name}`);
    });
  }
  // mixed3: 35 -> 17.
  x = net.inBlock('mixed3', () => {
    const b3 = unit(x, 384, 3, 3, 'branch3x3', 2, 'valid');
    let bd = unit(x, 64, 1, 1, 'branch3x3dbl_1');
    bd = unit(bd, 96, 3, 3, 'branch3x3dbl_2');
    bd = unit(bd, 96, 3, 3, 'branch3x3dbl_3', 2, 'valid');
    const bp = maxPool(x, 'branch_pool');
    return g.concat([b3, bd, bp], 1, '/mixed3');
  });
  // mixed4-7: 17x17 with factorised 7x7 convolutions.
  const widths = [128, 160, 160, 192];
  for (let i = 4; i <= 7; i++) {
    const c = widths[i - 4]!;
    const name = `mixed${i}`;
    x = net.inBlock(name, () => {
      const b1 = unit(x, 192, 1, 1, 'branch1x1');
      let b7 = unit(x, c, 1, 1, 'branch7x7_1');
      b7 = unit(b7, c, 1, 7, 'branch7x7_2');
      b7 = unit(b7, 192, 7, 1, 'branch7x7_3');
      let bd = unit(x, c, 1, 1, 'branch7x7dbl_1');
      bd = unit(bd, c, 7, 1, 'branch7x7dbl_2');
      bd = unit(bd, c, 1, 7, 'branch7x7dbl_3');
      bd = unit(bd, c, 7, 1, 'branch7x7dbl_4');
      bd = unit(bd, 192, 1, 7, 'branch7x7dbl_5');
      const bp = unit(avgPool(x, 'branch_pool_avg'), 192, 1, 1, 'branch_pool');
      return g.concat([b1, b7, bd, bp], 1, `/${name}`);
    });
  }
  // mixed8: 17 -> 8.
  x = net.inBlock('mixed8', () => {
    let b3 = unit(x, 192, 1, 1, 'branch3x3_1');
    b3 = unit(b3, 320, 3, 3, 'branch3x3_2', 2, 'valid');
    let b7 = unit(x, 192, 1, 1, 'branch7x7x3_1');
    b7 = unit(b7, 192, 1, 7, 'branch7x7x3_2');
    b7 = unit(b7, 192, 7, 1, 'branch7x7x3_3');
    b7 = unit(b7, 192, 3, 3, 'branch7x7x3_4', 2, 'valid');
    const bp = maxPool(x, 'branch_pool');
    return g.concat([b3, b7, bp], 1, '/mixed8');
  });
  // mixed9-10: 8x8 with expanded filter banks.
  for (let i = 9; i <= 10; i++) {
    const name = `mixed${i}`;
    x = net.inBlock(name, () => {
      const b1 = unit(x, 320, 1, 1, 'branch1x1');
      const b3 = unit(x, 384, 1, 1, 'branch3x3_1');
      const b3a = unit(b3, 384, 1, 3, 'branch3x3_2a');
      const b3b = unit(b3, 384, 3, 1, 'branch3x3_2b');
      const b3cat = g.concat([b3a, b3b], 1, 'branch3x3');
      let bd = unit(x, 448, 1, 1, 'branch3x3dbl_1');
      bd = unit(bd, 384, 3, 3, 'branch3x3dbl_2');
      const bda = unit(bd, 384, 1, 3, 'branch3x3dbl_3a');
      const bdb = unit(bd, 384, 3, 1, 'branch3x3dbl_3b');
      const bdcat = g.concat([bda, bdb], 1, 'branch3x3dbl');
      const bp = unit(avgPool(x, 'branch_pool_avg'), 192, 1, 1, 'branch_pool');
      return g.concat([b1, b3cat, bdcat, bp], 1, `/${name}`);
    });
  }
  return classifierModel(net, {
    architecture: 'inceptionv3',
    docString: 'InceptionV3 (Keras layout) built by heatcheck',
    inputName: input,
    features: x,
    classes: options.classes ?? 2,
    size,
    preprocessing: minusOneOne(3),
    blocks: Array.from({ length: 10 }, (_, k) => ({ name: `mixed${10 - k}`, output: `mixed${10 - k}` })),
    floor: { name: 'mixed0', output: 'mixed0' },
    camLayer: 'mixed10',
    initializer,
    seed,
    settings: {},
  });
}
