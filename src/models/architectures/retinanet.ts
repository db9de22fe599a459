/**
 * RetinaNet (Lin et al. 2017, https://arxiv.org/abs/1708.02002), the detection baseline: a ResNet-style
 * backbone of basic residual blocks (`resnet18`, or `small` for the demo), a feature pyramid over C3-C5
 * (lateral 1x1 convs, nearest top-down upsampling, 3x3 output convs), and class and box subnets shared
 * across levels. The single output `head` is [N, anchors, classes + 4]: class logits (sigmoid, focal
 * loss) then box deltas (smooth-L1), anchors in the order of `detection/anchors.ts`.
 */
import { createRng } from '../../core/rng.js';
import type { Padding } from '../../graph/builder.js';
import { modelErrors } from '../messages.js';
import { NetBuilder } from '../net-builder.js';
import { blocksFrom, type BuildOptions, type BuiltModel } from '../architecture.js';
import { anchorsPerCell, defaultAnchorShapes, type AnchorConfig } from '../detection/anchors.js';
import { minusOneOne } from './head.js';

/** Options of RetinaNet on top of the common ones. */
export interface RetinaNetOptions extends BuildOptions {
  /** `resnet18` (2-2-2-2 basic blocks, 64-512 channels, FPN 256, 4-conv subnets) or `small` (default; 1-1-1-1, 16-128, FPN 32, 2-conv subnets). */
  readonly backbone?: 'resnet18' | 'small';
  /** Input channels (default 1 for `small`, 3 for `resnet18`). */
  readonly channels?: number;
  /** Object classes (default 1: lesion). */
  readonly objectClasses?: number;
  /** Base anchor size at P3 (default 16; doubles per level). */
  readonly anchorSize?: number;
}

interface BackboneSpec {
  blocks: number[];
  widths: number[];
  fpn: number;
  subnetDepth: number;
}

const SPECS: Record<'resnet18' | 'small', BackboneSpec> = {
  resnet18: { blocks: [2, 2, 2, 2], widths: [64, 128, 256, 512], fpn: 256, subnetDepth: 4 },
  small: { blocks: [1, 1, 1, 1], widths: [16, 32, 64, 128], fpn: 32, subnetDepth: 2 },
};

/** The anchor settings of a RetinaNet card (strides 8, 16, 32 for P3-P5). */
export function retinaAnchors(anchorSize = 16): AnchorConfig {
  return { strides: [8, 16, 32], sizes: [anchorSize, anchorSize * 2, anchorSize * 4], scales: [...defaultAnchorShapes.scales], ratios: [...defaultAnchorShapes.ratios] };
}

/** Builds RetinaNet (default input 128, small backbone); the input must be a multiple of 32. */
export function buildRetinaNet(options: RetinaNetOptions = {}): BuiltModel {
  const size = options.inputSize ?? 128;
  if (size % 32 !== 0 || size < 32) throw modelErrors.badOption('inputSize', size, 'a multiple of 32');
  const backbone = options.backbone ?? 'small';
  const spec = SPECS[backbone];
  const channels = options.channels ?? (backbone === 'small' ? 1 : 3);
  const classes = options.objectClasses ?? 1;
  const anchors = retinaAnchors(options.anchorSize ?? 16);
  const perCell = anchorsPerCell(anchors);
  const seed = options.seed ?? 0;
  const initializer = options.initializer ?? 'he';
  const net = new NetBuilder({ seed, initializer, name: 'retinanet' });
  const g = net.graph;
  const bn = { scale: true, epsilon: 1e-3, momentum: 0.9 };
  const unit = (x: string, filters: number, kernel: number, strides: number, name: string, relu = true) =>
    net.convUnit(x, { filters, kernel, strides, padding: kernel === 1 ? 'valid' : ('same' as Padding), name, batchNorm: bn, relu });

  const input = g.imageInput('input', channels, size, size);
  let x = net.inBlock('stem', () => {
    if (backbone === 'small') return unit(input, spec.widths[0]!, 3, 2, 'conv1');
    const c = unit(input, 64, 7, 2, 'conv1');
    return g.maxPool(c, { kernel: 3, strides: 2, padding: 1, name: 'pool' });
  });
  const features: string[] = [];
  spec.widths.forEach((width, stage) => {
    const block = `layer${stage + 1}`;
    x = net.inBlock(block, () => {
      let y = x;
      for (let b = 0; b < spec.blocks[stage]!; b++) {
        // The small backbone has no max pool, so its first stage downsamples instead (C2 at stride 4 either way).
        const stride = b === 0 && (stage > 0 || backbone === 'small') ? 2 : 1;
        y = g.scope(`block${b + 1}`, () => {
          const a = unit(y, width, 3, stride, 'conv1');
          const c = unit(a, width, 3, 1, 'conv2', false);
          const shortcut = stride !== 1 || net.channels(y) !== width ? unit(y, width, 1, stride, 'downsample', false) : y;
          return g.relu(g.add(c, shortcut, 'add'), 'relu');
        });
      }
      return g.identity(y, `/${block}`);
    });
    features.push(x);
  });
  // Feature pyramid over C3-C5 (stages 2-4).
  const pyramid = net.inBlock('fpn', () => {
    const [c3, c4, c5] = features.slice(1) as [string, string, string];
    const l5 = g.conv(c5, { filters: spec.fpn, kernel: 1, name: 'lateral5' });
    const l4 = g.add(g.conv(c4, { filters: spec.fpn, kernel: 1, name: 'lateral4' }), g.resize(l5, { scales: [2, 2], mode: 'nearest', name: 'up5' }), 'merge4');
    const l3 = g.add(g.conv(c3, { filters: spec.fpn, kernel: 1, name: 'lateral3' }), g.resize(l4, { scales: [2, 2], mode: 'nearest', name: 'up4' }), 'merge3');
    return [l3, l4, l5].map((l, i) => g.conv(l, { filters: spec.fpn, kernel: 3, padding: 'same', name: `p${i + 3}` }));
  });
  // Subnets: one set of weights applied at every level.
  const subnet = (name: string, outPerAnchor: number, priorBias: number) =>
    net.inBlock(name, () => {
      const layers: { weight: string; bias: string; filters: number }[] = [];
      const area = 9;
      for (let i = 0; i <= spec.subnetDepth; i++) {
        const filters = i === spec.subnetDepth ? perCell * outPerAnchor : spec.fpn;
        const weight = g.parameter(`conv${i + 1}/weight`, [filters, spec.fpn, 3, 3], 'weight', spec.fpn * area, filters * area);
        const bias = g.parameter(`conv${i + 1}/bias`, [filters], 'bias', spec.fpn * area, filters);
        layers.push({ weight, bias, filters });
      }
      const outputs = pyramid.map((p, level) => {
        let y = p;
        layers.forEach((l, i) => {
          const [h, w] = net.spatial(y);
          y = g.node('Conv', [y, l.weight, l.bias], { kernel_shape: { type: 'ints', value: [3, 3] }, pads: { type: 'ints', value: [1, 1, 1, 1] } }, {
            name: `p${level + 3}/conv${i + 1}`,
            shapes: [['batch', l.filters, h, w]],
          })[0]!;
          if (i < spec.subnetDepth) y = g.relu(y, `p${level + 3}/relu${i + 1}`);
        });
        const nhwc = g.transpose(y, [0, 2, 3, 1], `p${level + 3}/nhwc`);
        return g.reshape(nhwc, [0, -1, outPerAnchor], `p${level + 3}/anchors`);
      });
      return { outputs, priorBias, weight: layers[layers.length - 1]!.weight, bias: layers[layers.length - 1]!.bias };
    });
  const cls = subnet('class_subnet', classes, -Math.log((1 - 0.01) / 0.01));
  const box = subnet('box_subnet', 4, 0);
  const head = net.inBlock(
    'logits',
    () => {
      const c = g.concat(cls.outputs, 1, '/class_logits');
      const b = g.concat(box.outputs, 1, '/box_deltas');
      return g.output(g.concat([c, b], 2, '/head'));
    },
    false,
  );
  const model = g.build({ docString: `heatcheck RetinaNet (${backbone} backbone)` });
  const tensor = (name: string) => model.graph.initializers.find((t) => t.name === name)!.data as Float32Array;
  // The last conv of each subnet draws the paper's N(0, 0.01^2): with He weights there the initial logits
  // spread over +-20, the class prior below meant nothing and the step-0 loss was ~60 instead of ~6.
  // The hidden subnet convs keep He (all at 0.01, as the paper, started slower on this small net).
  for (const name of [cls.weight, box.weight]) createRng(seed).fork(`retinanet-head:${name}`).fillNormal(tensor(name), 0, 0.01);
  // The class prior (pi = 0.01) keeps the focal loss stable at the start, as the paper does.
  tensor(cls.bias).fill(cls.priorBias);
  const order = ['class_subnet', 'box_subnet', 'fpn', 'layer4', 'layer3', 'layer2', 'layer1'].map((name) => ({ name }));
  return {
    architecture: 'retinanet',
    task: 'detection',
    model,
    inputName: input,
    outputName: head,
    trainOutput: head,
    inputSize: [size, size],
    preprocessing: minusOneOne(channels),
    parameters: net.parameters,
    blocks: blocksFrom(net, order),
    camLayer: undefined,
    initializer,
    seed,
    settings: { backbone, channels, objectClasses: classes, anchors },
  };
}
