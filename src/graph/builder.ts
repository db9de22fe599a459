/**
 * A builder for ONNX graphs written in TypeScript: heatcheck's own architectures (InceptionV3, DenseNet,
 * U-Net, RetinaNet, small CNNs) are made with it. It hands out unique, scoped tensor names
 * (`mixed3/branch1x1/conv`), creates parameters through a seeded initialiser, tracks static shapes
 * (the batch stays symbolic) so composite helpers know channel counts, and produces an IR `Model`
 * (default opset 13) that `encodeModel` writes.
 *
 * Naming: an op named `conv` inside `scope('mixed3', ...)` produces the tensor `mixed3/conv`; a name
 * that starts with `/` is absolute (`/mixed3` -> `mixed3`); a taken name gets `_1`, `_2`, ... appended.
 * Node names equal their first output's name. Parameters are `<op>/weight`, `<op>/bias`, and so on.
 */
import { UsageError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { heNormal, type InitializerFn, type ParameterRole } from './builder/initializers.js';
import { broadcastShapes, normalizeAxis, reshapeShape, samePads, staticProduct, windowOutput } from './builder/shapes.js';
import { type Attribute, DataType, type DataTypeCode, type Dim, type Model, type Node, type Tensor, type ValueInfo } from './ir.js';

export * from './builder/initializers.js';

/** Activation applied after a conv/dense helper. */
export type Activation = 'relu' | 'relu6' | 'sigmoid' | 'tanh' | 'leakyRelu' | 'softmax' | 'none';

/** Padding of a window op: `valid` (none), `same` (output = ceil(input / stride)), a symmetric amount, or explicit ONNX pads `[begins..., ends...]`. */
export type Padding = 'valid' | 'same' | number | readonly number[];

/** Options of `new GraphBuilder(...)`. */
export interface GraphBuilderOptions {
  /** Graph name (default `heatcheck`). */
  name?: string;
  /** Default-domain opset (default 13). */
  opset?: number;
  /** Seed for parameter initialisation (default 0). */
  seed?: number;
  /** Parameter initialiser (default `heNormal`). */
  initializer?: InitializerFn;
  /** Write value_info for intermediate tensors whose shapes are known (default true). */
  valueInfo?: boolean;
}

/** Options of `GraphBuilder.conv`. */
export interface ConvOptions {
  /** Output channels. */
  filters: number;
  kernel: number | readonly number[];
  strides?: number | readonly number[];
  padding?: Padding;
  dilations?: number | readonly number[];
  group?: number;
  /** Add a bias (default: true unless `batchNorm`). */
  bias?: boolean;
  /** Follow with BatchNormalization (true, or its epsilon). */
  batchNorm?: boolean | { epsilon?: number };
  activation?: Activation;
  name?: string;
}

/** Options of `GraphBuilder.convTranspose`. */
export interface ConvTransposeOptions {
  filters: number;
  kernel: number | readonly number[];
  strides?: number | readonly number[];
  /** Explicit pads `[begins..., ends...]` or a symmetric amount (default 0). */
  pads?: number | readonly number[];
  outputPadding?: number | readonly number[];
  dilations?: number | readonly number[];
  group?: number;
  bias?: boolean;
  name?: string;
}

/** Options of `GraphBuilder.maxPool` and `averagePool`. */
export interface PoolOptions {
  kernel: number | readonly number[];
  strides?: number | readonly number[];
  padding?: Padding;
  ceilMode?: boolean;
  /** AveragePool only: count padded cells in the divisor (default false). */
  countIncludePad?: boolean;
  name?: string;
}

/** Options of `GraphBuilder.dense`. */
export interface DenseOptions {
  bias?: boolean;
  activation?: Activation;
  name?: string;
}

/** Options of `GraphBuilder.resize` (ONNX Resize attributes, defaults as in ONNX). */
export interface ResizeOptions {
  /** Scale per spatial axis (N and C stay 1); give this or `sizes`. */
  scales?: readonly number[];
  /** Output size per spatial axis. */
  sizes?: readonly number[];
  mode?: 'nearest' | 'linear';
  coordinateTransformationMode?: 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric';
  nearestMode?: 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';
  name?: string;
}

/** Creates ONNX attributes of each kind (used by the builder and available to callers of `node`). */
export const attr = {
  int: (value: number): Attribute => ({ type: 'int', value }),
  ints: (value: readonly number[]): Attribute => ({ type: 'ints', value: [...value] }),
  // Floats are stored as float32 in ONNX: rounding here makes a built model equal its decoded copy.
  float: (value: number): Attribute => ({ type: 'float', value: Math.fround(value) }),
  floats: (value: readonly number[]): Attribute => ({ type: 'floats', value: value.map(Math.fround) }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  tensor: (value: Tensor): Attribute => ({ type: 'tensor', value }),
};

interface TensorInfo {
  shape: Dim[] | undefined;
  dtype: DataTypeCode;
}

/** Builds an ONNX graph op by op and returns it as an IR `Model`. */
export class GraphBuilder {
  /** Default-domain opset the built model imports. */
  readonly opset: number;
  private readonly graphName: string;
  private readonly seed: number;
  private readonly init: InitializerFn;
  private readonly writeValueInfo: boolean;
  private readonly scopes: string[] = [];
  private readonly taken = new Set<string>();
  private readonly infos = new Map<string, TensorInfo>();
  private readonly nodes: Node[] = [];
  private readonly initializers: Tensor[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly rng: Rng;

  constructor(options: GraphBuilderOptions = {}) {
    this.opset = options.opset ?? 13;
    this.graphName = options.name ?? 'heatcheck';
    this.seed = options.seed ?? 0;
    this.init = options.initializer ?? heNormal;
    this.writeValueInfo = options.valueInfo ?? true;
    this.rng = createRng(this.seed);
  }

  // ---- names -------------------------------------------------------------------------------------

  /** Runs `body` with `name` pushed onto the scope stack, so names made inside are `name/...`. */
  scope<T>(name: string, body: (builder: this) => T): T {
    this.scopes.push(name);
    try {
      return body(this);
    } finally {
      this.scopes.pop();
    }
  }

  /** Reserves and returns a fresh name: `base` under the current scope (or absolute if it starts with `/`), made unique. */
  uniqueName(base: string): string {
    const full = base.startsWith('/') ? base.slice(1) : [...this.scopes, base].join('/');
    let name = full;
    for (let i = 1; this.taken.has(name); i++) name = `${full}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** A unique absolute name for a composite op, left free so its main node can take it; its parameters go under it. */
  private reserve(name: string): string {
    const full = this.uniqueName(name);
    this.taken.delete(full);
    return `/${full}`;
  }

  /** The tracked static shape of a tensor (batch symbolic), or undefined if unknown. */
  shapeOf(tensor: string): Dim[] | undefined {
    return this.infos.get(tensor)?.shape?.slice();
  }

  /** The tracked element type of a tensor (FLOAT unless made otherwise). */
  dtypeOf(tensor: string): DataTypeCode {
    return this.infos.get(tensor)?.dtype ?? DataType.FLOAT;
  }

  // ---- graph inputs, outputs, tensors --------------------------------------------------------------

  /** Declares a graph input with the given shape (strings are symbolic dims) and returns its name. */
  input(name: string, shape: readonly Dim[], dtype: DataTypeCode = DataType.FLOAT): string {
    const unique = this.uniqueName(name.startsWith('/') ? name : `/${name}`);
    this.inputs.push({ name: unique, elemType: dtype, shape: [...shape] });
    this.infos.set(unique, { shape: [...shape], dtype });
    return unique;
  }

  /** Declares an NCHW float image input `[batch, channels, height, width]` with a symbolic batch. */
  imageInput(name: string, channels: number, height: number, width: number, batch: Dim = 'batch'): string {
    return this.input(name, [batch, channels, height, width]);
  }

  /** Marks a tensor as a graph output; with `name`, an Identity gives it that (absolute) name. */
  output(tensor: string, name?: string): string {
    let out = tensor;
    if (name !== undefined && name !== tensor && this.taken.has(name)) {
      throw new UsageError('builder-output-name', `output name "${name}" is already used by another tensor`);
    }
    if (name !== undefined && name !== tensor) out = this.node('Identity', [tensor], {}, { name: `/${name}`, shapes: [this.infos.get(tensor)?.shape] })[0]!;
    const info = this.infos.get(out);
    this.outputs.push({ name: out, elemType: info?.dtype ?? DataType.FLOAT, shape: info?.shape ? [...info.shape] : undefined });
    return out;
  }

  /** Adds an initializer holding `data` (typed array, element type inferred unless given) and returns its name. */
  initializer(name: string, dims: readonly number[], data: Tensor['data'], dataType?: DataTypeCode): string {
    const type = dataType ?? inferDataType(data);
    if (!Array.isArray(data) && data.length !== staticProduct(dims)) {
      throw new UsageError('builder-initializer-size', `initializer ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
    }
    const unique = this.uniqueName(name);
    this.initializers.push({ name: unique, dataType: type, dims: [...dims], data });
    this.infos.set(unique, { shape: [...dims], dtype: type });
    return unique;
  }

  /** Adds a float32 constant initializer. */
  constFloat(values: readonly number[] | Float32Array, dims: readonly number[] = [values.length], name = 'const'): string {
    return this.initializer(name, dims, Float32Array.from(values));
  }

  /** Adds an int64 constant initializer (shapes, axes, indices). */
  constInt64(values: readonly number[], dims: readonly number[] = [values.length], name = 'const'): string {
    return this.initializer(name, dims, BigInt64Array.from(values.map((v) => BigInt(v))), DataType.INT64);
  }

  /** Adds a trainable float parameter filled by the builder's initialiser (seeded by the tensor name). */
  parameter(name: string, dims: readonly number[], role: ParameterRole, fanIn: number, fanOut: number): string {
    const full = this.uniqueName(name);
    this.taken.delete(full);
    const data = this.init({ name: full, dims, role, fanIn, fanOut, rng: this.rng.fork(full) });
    return this.initializer(`/${full}`, dims, data, DataType.FLOAT);
  }

  // ---- generic node --------------------------------------------------------------------------------

  /**
   * Appends a node and returns its output names. `name` defaults to the lower-cased op type; with
   * several outputs they are `<name>:0`, `<name>:1`, ... `shapes` records known output shapes.
   */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, Attribute> = {},
    options: { name?: string; outputs?: number; shapes?: (Dim[] | undefined)[]; dtype?: DataTypeCode; domain?: string } = {},
  ): string[] {
    const name = this.uniqueName(options.name ?? opType.toLowerCase());
    const count = options.outputs ?? 1;
    const outputs = count === 1 ? [name] : Array.from({ length: count }, (_, i) => `${name}:${i}`);
    for (const o of outputs.slice(count === 1 ? 1 : 0)) this.taken.add(o);
    const dtype = options.dtype ?? (inputs[0] ? this.dtypeOf(inputs[0]) : DataType.FLOAT);
    outputs.forEach((o, i) => this.infos.set(o, { shape: options.shapes?.[i], dtype }));
    this.nodes.push({ name, opType, domain: options.domain ?? '', inputs: [...inputs], outputs, attributes });
    return outputs;
  }

  private one(opType: string, inputs: readonly string[], attributes: Record<string, Attribute>, name: string | undefined, shape: Dim[] | undefined): string {
    return this.node(opType, inputs, attributes, { name: name ?? opType.toLowerCase(), shapes: [shape] })[0]!;
  }

  private rankOf(x: string, op: string, min = 1): Dim[] {
    const shape = this.infos.get(x)?.shape;
    if (!shape || shape.length < min) {
      throw new UsageError('builder-shape-unknown', `${op} on ${x}: needs a tensor of known rank >= ${min} (got ${shape ? `[${shape.join(', ')}]` : 'unknown'})`);
    }
    return shape;
  }

  // ---- convolution and pooling ----------------------------------------------------------------------

  /** Conv (ONNX Conv, weights `[filters, C/group, ...kernel]`), optionally followed by BatchNormalization and an activation. */
  conv(x: string, options: ConvOptions): string {
    const shape = this.rankOf(x, 'conv', 3);
    const channels = shape[1];
    if (typeof channels !== 'number') throw new UsageError('builder-shape-unknown', `conv on ${x}: channel count must be static`);
    const spatial = shape.length - 2;
    const kernel = expand(options.kernel, spatial);
    const strides = expand(options.strides ?? 1, spatial);
    const dilations = expand(options.dilations ?? 1, spatial);
    const group = options.group ?? 1;
    if (channels % group !== 0 || options.filters % group !== 0) {
      throw new UsageError('builder-group', `conv on ${x}: group ${group} must divide in (${channels}) and out (${options.filters}) channels`);
    }
    const name = this.reserve(options.name ?? 'conv');
    const useBn = options.batchNorm !== undefined && options.batchNorm !== false;
    const useBias = options.bias ?? !useBn;
    const area = kernel.reduce((a, b) => a * b, 1);
    const weight = this.parameter(`${name}/weight`, [options.filters, channels / group, ...kernel], 'weight', (channels / group) * area, (options.filters / group) * area);
    const inputs = [x, weight];
    if (useBias) inputs.push(this.parameter(`${name}/bias`, [options.filters], 'bias', (channels / group) * area, options.filters));
    const { attrs, pads } = this.windowPadding(shape, options.padding ?? 'valid', kernel, strides, dilations, 'conv');
    const out: Dim[] = [shape[0]!, options.filters];
    for (let i = 0; i < spatial; i++) out.push(pads ? windowOutput(shape[i + 2]!, kernel[i]!, strides[i]!, dilations[i]!, pads[i]!, pads[i + spatial]!) : ceilDiv(shape[i + 2]!, strides[i]!));
    let y = this.one('Conv', inputs, { ...attrs, kernel_shape: attr.ints(kernel), strides: attr.ints(strides), dilations: attr.ints(dilations), group: attr.int(group) }, name, out);
    if (useBn) {
      const epsilon = typeof options.batchNorm === 'object' ? options.batchNorm.epsilon : undefined;
      y = this.batchNorm(y, { name: `${name}/bn`, ...(epsilon !== undefined ? { epsilon } : {}) });
    }
    return this.activation(y, options.activation ?? 'none', name);
  }

  /** ConvTranspose (weights `[C, filters/group, ...kernel]`) with optional bias. */
  convTranspose(x: string, options: ConvTransposeOptions): string {
    const shape = this.rankOf(x, 'convTranspose', 3);
    const channels = shape[1];
    if (typeof channels !== 'number') throw new UsageError('builder-shape-unknown', `convTranspose on ${x}: channel count must be static`);
    const spatial = shape.length - 2;
    const kernel = expand(options.kernel, spatial);
    const strides = expand(options.strides ?? 1, spatial);
    const dilations = expand(options.dilations ?? 1, spatial);
    const outputPadding = expand(options.outputPadding ?? 0, spatial);
    const pads = typeof options.pads === 'object' ? [...options.pads] : new Array<number>(2 * spatial).fill(options.pads ?? 0);
    const group = options.group ?? 1;
    const name = this.reserve(options.name ?? 'conv_transpose');
    const area = kernel.reduce((a, b) => a * b, 1);
    const weight = this.parameter(`${name}/weight`, [channels, options.filters / group, ...kernel], 'weight', (channels / group) * area, (options.filters / group) * area);
    const inputs = [x, weight];
    if (options.bias ?? true) inputs.push(this.parameter(`${name}/bias`, [options.filters], 'bias', channels * area, options.filters));
    const out: Dim[] = [shape[0]!, options.filters];
    for (let i = 0; i < spatial; i++) {
      const d = shape[i + 2];
      out.push(typeof d === 'number' ? strides[i]! * (d - 1) + outputPadding[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - pads[i]! - pads[i + spatial]! : null);
    }
    return this.one(
      'ConvTranspose',
      inputs,
      {
        kernel_shape: attr.ints(kernel),
        strides: attr.ints(strides),
        dilations: attr.ints(dilations),
        pads: attr.ints(pads),
        output_padding: attr.ints(outputPadding),
        group: attr.int(group),
      },
      name,
      out,
    );
  }

  /** BatchNormalization (inference form) with parameters scale=1, shift=0, mean=0, variance=1 by default initialiser. */
  batchNorm(x: string, options: { epsilon?: number; momentum?: number; name?: string } = {}): string {
    const shape = this.rankOf(x, 'batchNorm', 2);
    const channels = shape[1];
    if (typeof channels !== 'number') throw new UsageError('builder-shape-unknown', `batchNorm on ${x}: channel count must be static`);
    const name = this.reserve(options.name ?? 'bn');
    const param = (suffix: string, role: ParameterRole) => this.parameter(`${name}/${suffix}`, [channels], role, channels, channels);
    const inputs = [x, param('scale', 'scale'), param('shift', 'shift'), param('mean', 'mean'), param('variance', 'variance')];
    return this.one('BatchNormalization', inputs, { epsilon: attr.float(options.epsilon ?? 1e-5), momentum: attr.float(options.momentum ?? 0.9) }, name, shape);
  }

  /** MaxPool. */
  maxPool(x: string, options: PoolOptions): string {
    return this.pool('MaxPool', x, options);
  }

  /** AveragePool (count_include_pad from the options, default 0). */
  averagePool(x: string, options: PoolOptions): string {
    return this.pool('AveragePool', x, options);
  }

  private pool(op: 'MaxPool' | 'AveragePool', x: string, options: PoolOptions): string {
    const shape = this.rankOf(x, op, 3);
    const spatial = shape.length - 2;
    const kernel = expand(options.kernel, spatial);
    const strides = expand(options.strides ?? kernel, spatial);
    const ones = new Array<number>(spatial).fill(1);
    const { attrs, pads } = this.windowPadding(shape, options.padding ?? 'valid', kernel, strides, ones, op);
    const ceil = options.ceilMode ?? false;
    const out: Dim[] = shape.slice(0, 2);
    for (let i = 0; i < spatial; i++) out.push(pads ? windowOutput(shape[i + 2]!, kernel[i]!, strides[i]!, 1, pads[i]!, pads[i + spatial]!, ceil) : ceilDiv(shape[i + 2]!, strides[i]!));
    const attributes: Record<string, Attribute> = { ...attrs, kernel_shape: attr.ints(kernel), strides: attr.ints(strides), ceil_mode: attr.int(ceil ? 1 : 0) };
    if (op === 'AveragePool') attributes.count_include_pad = attr.int(options.countIncludePad ? 1 : 0);
    return this.one(op, [x], attributes, options.name ?? (op === 'MaxPool' ? 'max_pool' : 'avg_pool'), out);
  }

  /** GlobalAveragePool to `[N, C, 1, 1]`; with `flatten`, followed by Flatten to `[N, C]`. */
  globalAveragePool(x: string, options: { flatten?: boolean; name?: string } = {}): string {
    return this.globalPool('GlobalAveragePool', x, options);
  }

  /** GlobalMaxPool to `[N, C, 1, 1]`; with `flatten`, followed by Flatten to `[N, C]`. */
  globalMaxPool(x: string, options: { flatten?: boolean; name?: string } = {}): string {
    return this.globalPool('GlobalMaxPool', x, options);
  }

  private globalPool(op: string, x: string, options: { flatten?: boolean; name?: string }): string {
    const shape = this.rankOf(x, op, 3);
    const name = this.reserve(options.name ?? (op === 'GlobalMaxPool' ? 'global_max_pool' : 'global_avg_pool'));
    const y = this.one(op, [x], {}, name, [...shape.slice(0, 2), ...shape.slice(2).map(() => 1)]);
    return options.flatten ? this.flatten(y, 1, `${name}/flatten`) : y;
  }

  private windowPadding(
    shape: readonly Dim[],
    padding: Padding,
    kernel: readonly number[],
    strides: readonly number[],
    dilations: readonly number[],
    op: string,
  ): { attrs: Record<string, Attribute>; pads: number[] | undefined } {
    const spatial = kernel.length;
    if (padding === 'valid') {
      const pads = new Array<number>(2 * spatial).fill(0);
      return { attrs: { pads: attr.ints(pads) }, pads };
    }
    if (padding === 'same') {
      const dims = shape.slice(2);
      if (dims.every((d): d is number => typeof d === 'number')) {
        const pairs = dims.map((d, i) => samePads(d, kernel[i]!, strides[i]!, dilations[i]!));
        const pads = [...pairs.map((p) => p[0]), ...pairs.map((p) => p[1])];
        return { attrs: { pads: attr.ints(pads) }, pads };
      }
      return { attrs: { auto_pad: attr.string('SAME_UPPER') }, pads: undefined };
    }
    const pads = typeof padding === 'number' ? new Array<number>(2 * spatial).fill(padding) : [...padding];
    if (pads.length !== 2 * spatial) throw new UsageError('builder-pads', `${op}: pads need ${2 * spatial} values, got ${pads.length}`);
    return { attrs: { pads: attr.ints(pads) }, pads };
  }

  // ---- dense and elementwise --------------------------------------------------------------------

  /** Fully connected layer as Gemm (`x [N, in] * W^T + b`, W `[units, in]`), optionally activated. */
  dense(x: string, units: number, options: DenseOptions = {}): string {
    const shape = this.rankOf(x, 'dense', 2);
    const features = shape[1];
    if (shape.length !== 2 || typeof features !== 'number') throw new UsageError('builder-shape-unknown', `dense on ${x}: needs [N, features] with static features`);
    const name = this.reserve(options.name ?? 'dense');
    const inputs = [x, this.parameter(`${name}/weight`, [units, features], 'weight', features, units)];
    if (options.bias ?? true) inputs.push(this.parameter(`${name}/bias`, [units], 'bias', features, units));
    const y = this.one('Gemm', inputs, { transB: attr.int(1) }, name, [shape[0]!, units]);
    return this.activation(y, options.activation ?? 'none', name);
  }

  /** Gemm with explicit operands and attributes. */
  gemm(a: string, b: string, c?: string, options: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number; name?: string } = {}): string {
    const sa = this.infos.get(a)?.shape;
    const sb = this.infos.get(b)?.shape;
    const rows = sa ? sa[options.transA ? 1 : 0]! : null;
    const cols = sb ? sb[options.transB ? 0 : 1]! : null;
    const attributes: Record<string, Attribute> = {};
    if (options.transA) attributes.transA = attr.int(1);
    if (options.transB) attributes.transB = attr.int(1);
    if (options.alpha !== undefined) attributes.alpha = attr.float(options.alpha);
    if (options.beta !== undefined) attributes.beta = attr.float(options.beta);
    return this.one('Gemm', c ? [a, b, c] : [a, b], attributes, options.name, [rows, cols]);
  }

  /** MatMul with numpy semantics (batched, broadcasting). */
  matMul(a: string, b: string, name?: string): string {
    const sa = this.infos.get(a)?.shape;
    const sb = this.infos.get(b)?.shape;
    let shape: Dim[] | undefined;
    if (sa && sb) {
      const a2 = sa.length === 1 ? [1, sa[0]!] : sa;
      const b2 = sb.length === 1 ? [sb[0]!, 1] : sb;
      shape = [...broadcastShapes(a2.slice(0, -2), b2.slice(0, -2)), a2[a2.length - 2]!, b2[b2.length - 1]!];
      if (sb.length === 1) shape.splice(shape.length - 1, 1);
      if (sa.length === 1) shape.splice(shape.length - (sb.length === 1 ? 1 : 2), 1);
    }
    return this.one('MatMul', [a, b], {}, name, shape);
  }

  /** Elementwise Add with broadcasting. */
  add(a: string, b: string, name?: string): string {
    return this.binary('Add', a, b, name);
  }

  /** Elementwise Sub with broadcasting. */
  sub(a: string, b: string, name?: string): string {
    return this.binary('Sub', a, b, name);
  }

  /** Elementwise Mul with broadcasting. */
  mul(a: string, b: string, name?: string): string {
    return this.binary('Mul', a, b, name);
  }

  /** Elementwise Div with broadcasting. */
  div(a: string, b: string, name?: string): string {
    return this.binary('Div', a, b, name);
  }

  private binary(op: string, a: string, b: string, name: string | undefined): string {
    const sa = this.infos.get(a)?.shape;
    const sb = this.infos.get(b)?.shape;
    return this.one(op, [a, b], {}, name, sa && sb ? broadcastShapes(sa, sb) : undefined);
  }

  /** Relu. */
  relu(x: string, name?: string): string {
    return this.unary('Relu', x, {}, name);
  }

  /** LeakyRelu with slope `alpha` (default 0.01) for negative inputs. */
  leakyRelu(x: string, alpha = 0.01, name?: string): string {
    return this.unary('LeakyRelu', x, { alpha: attr.float(alpha) }, name);
  }

  /** Sigmoid. */
  sigmoid(x: string, name?: string): string {
    return this.unary('Sigmoid', x, {}, name);
  }

  /** Tanh. */
  tanh(x: string, name?: string): string {
    return this.unary('Tanh', x, {}, name);
  }

  /** Softmax along `axis` (default -1; opset >= 13 semantics). */
  softmax(x: string, axis = -1, name?: string): string {
    return this.unary('Softmax', x, { axis: attr.int(axis) }, name);
  }

  /** LogSoftmax along `axis` (default -1). */
  logSoftmax(x: string, axis = -1, name?: string): string {
    return this.unary('LogSoftmax', x, { axis: attr.int(axis) }, name);
  }

  /** Clip to [min, max] (bounds as constant inputs, opset >= 11). */
  clip(x: string, min?: number, max?: number, name?: string): string {
    const inputs = [x, min !== undefined ? this.constFloat([min], [], `${name ?? 'clip'}/min`) : '', max !== undefined ? this.constFloat([max], [], `${name ?? 'clip'}/max`) : ''];
    while (inputs[inputs.length - 1] === '') inputs.pop();
    return this.one('Clip', inputs, {}, name, this.infos.get(x)?.shape);
  }

  /** Identity (e.g. to give a tensor a stable name). */
  identity(x: string, name?: string): string {
    return this.unary('Identity', x, {}, name);
  }

  private unary(op: string, x: string, attributes: Record<string, Attribute>, name: string | undefined): string {
    return this.one(op, [x], attributes, name, this.infos.get(x)?.shape);
  }

  /** Applies a named activation (`none` returns `x`); the node is named `<base>/<activation>`. */
  activation(x: string, activation: Activation, base = 'act'): string {
    switch (activation) {
      case 'none':
        return x;
      case 'relu':
        return this.relu(x, `${base}/relu`);
      case 'relu6':
        return this.clip(x, 0, 6, `${base}/relu6`);
      case 'sigmoid':
        return this.sigmoid(x, `${base}/sigmoid`);
      case 'tanh':
        return this.tanh(x, `${base}/tanh`);
      case 'leakyRelu':
        return this.leakyRelu(x, 0.01, `${base}/leaky_relu`);
      case 'softmax':
        return this.softmax(x, -1, `${base}/softmax`);
    }
  }

  // ---- shape ops ---------------------------------------------------------------------------------

  /** Concat along `axis` (default 1, channels). */
  concat(xs: readonly string[], axis = 1, name?: string): string {
    const shapes = xs.map((x) => this.infos.get(x)?.shape);
    let shape: Dim[] | undefined;
    if (shapes.every((s): s is Dim[] => s !== undefined) && shapes.length > 0) {
      const a = normalizeAxis(axis, shapes[0]!.length);
      shape = shapes[0]!.slice();
      const sizes = shapes.map((s) => s[a]);
      shape[a] = sizes.every((d): d is number => typeof d === 'number') ? sizes.reduce((p, q) => p + q, 0) : null;
    }
    return this.one('Concat', xs, { axis: attr.int(axis) }, name, shape);
  }

  /** Split along `axis` into parts of the given sizes. */
  split(x: string, sizes: readonly number[], axis = 1, name?: string): string[] {
    const shape = this.infos.get(x)?.shape;
    const a = shape ? normalizeAxis(axis, shape.length) : axis;
    const shapes = sizes.map((s) => (shape ? shape.map((d, i) => (i === a ? s : d)) : undefined));
    const base = name ?? 'split';
    if (this.opset >= 13) {
      return this.node('Split', [x, this.constInt64(sizes, [sizes.length], `${base}/sizes`)], { axis: attr.int(axis) }, { name: base, outputs: sizes.length, shapes });
    }
    return this.node('Split', [x], { axis: attr.int(axis), split: attr.ints(sizes) }, { name: base, outputs: sizes.length, shapes });
  }

  /** Flatten to 2-D at `axis` (default 1). */
  flatten(x: string, axis = 1, name?: string): string {
    const shape = this.infos.get(x)?.shape;
    let out: Dim[] | undefined;
    if (shape) {
      const a = axis < 0 ? axis + shape.length : axis;
      const head = a === 0 ? 1 : staticProduct(shape.slice(0, a)) ?? (a === 1 ? shape[0]! : null);
      out = [head, staticProduct(shape.slice(a))];
    }
    return this.one('Flatten', [x], { axis: attr.int(axis) }, name, out);
  }

  /** Reshape to a constant target shape (0 copies a dim, -1 infers one). */
  reshape(x: string, target: readonly number[], name?: string): string {
    const base = name ?? 'reshape';
    const shapeName = this.constInt64(target, [target.length], `${base}/shape`);
    return this.one('Reshape', [x, shapeName], {}, base, reshapeShape(this.infos.get(x)?.shape, target));
  }

  /** Transpose with the given permutation. */
  transpose(x: string, perm: readonly number[], name?: string): string {
    const shape = this.infos.get(x)?.shape;
    return this.one('Transpose', [x], { perm: attr.ints(perm) }, name, shape ? perm.map((p) => shape[p]!) : undefined);
  }

  /** Squeeze the given axes (opset 13 input form, attribute form before). */
  squeeze(x: string, axes: readonly number[], name?: string): string {
    const shape = this.infos.get(x)?.shape;
    const norm = shape ? axes.map((a) => normalizeAxis(a, shape.length)) : [];
    const out = shape?.filter((_, i) => !norm.includes(i));
    const base = name ?? 'squeeze';
    if (this.opset >= 13) return this.one('Squeeze', [x, this.constInt64(axes, [axes.length], `${base}/axes`)], {}, base, out);
    return this.one('Squeeze', [x], { axes: attr.ints(axes) }, base, out);
  }

  /** Unsqueeze at the given axes (output-rank positions). */
  unsqueeze(x: string, axes: readonly number[], name?: string): string {
    const shape = this.infos.get(x)?.shape;
    let out: Dim[] | undefined;
    if (shape) {
      const rank = shape.length + axes.length;
      const norm = axes.map((a) => normalizeAxis(a, rank));
      out = [];
      let k = 0;
      for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : shape[k++]!);
    }
    const base = name ?? 'unsqueeze';
    if (this.opset >= 13) return this.one('Unsqueeze', [x, this.constInt64(axes, [axes.length], `${base}/axes`)], {}, base, out);
    return this.one('Unsqueeze', [x], { axes: attr.ints(axes) }, base, out);
  }

  /** Slice with constant starts/ends (and optional axes/steps), opset >= 10 input form. */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[], name?: string): string {
    const shape = this.infos.get(x)?.shape;
    const base = name ?? 'slice';
    const ax = axes ?? starts.map((_, i) => i);
    let out: Dim[] | undefined;
    if (shape) {
      out = shape.slice();
      ax.forEach((axis, i) => {
        const a = normalizeAxis(axis, shape.length);
        const d = shape[a];
        out![a] = typeof d === 'number' ? sliceLength(d, starts[i]!, ends[i]!, steps?.[i] ?? 1) : null;
      });
    }
    const inputs = [x, this.constInt64(starts, [starts.length], `${base}/starts`), this.constInt64(ends, [ends.length], `${base}/ends`)];
    if (axes || steps) inputs.push(this.constInt64(ax, [ax.length], `${base}/axes`));
    if (steps) inputs.push(this.constInt64(steps, [steps.length], `${base}/steps`));
    return this.one('Slice', inputs, {}, base, out);
  }

  /** Pad with constant ONNX pads `[begins..., ends...]` (opset >= 11 input form). */
  pad(x: string, pads: readonly number[], options: { mode?: 'constant' | 'reflect' | 'edge'; value?: number; name?: string } = {}): string {
    const shape = this.infos.get(x)?.shape;
    const rank = pads.length / 2;
    const out = shape?.map((d, i) => (typeof d === 'number' ? d + pads[i]! + pads[i + rank]! : d === null ? null : pads[i] === 0 && pads[i + rank] === 0 ? d : null));
    const base = options.name ?? 'pad';
    const inputs = [x, this.constInt64(pads, [pads.length], `${base}/pads`)];
    if (options.value !== undefined) inputs.push(this.constFloat([options.value], [], `${base}/value`));
    return this.one('Pad', inputs, { mode: attr.string(options.mode ?? 'constant') }, base, out);
  }

  /** Resize the spatial axes of an NCHW tensor by scales or to sizes (opset >= 11 input form). */
  resize(x: string, options: ResizeOptions): string {
    const shape = this.rankOf(x, 'resize', 3);
    if (this.opset < 11) throw new UsageError('builder-opset', `resize needs opset >= 11 (the builder is at ${this.opset})`);
    const base = options.name ?? 'resize';
    // Before opset 13, roi (and scales when sizes are given) must be present: empty tensors mean "unused".
    const empty = () => (this.opset < 13 ? this.constFloat([], [0], `${base}/empty`) : '');
    const attributes: Record<string, Attribute> = {
      mode: attr.string(options.mode ?? 'nearest'),
      coordinate_transformation_mode: attr.string(options.coordinateTransformationMode ?? 'half_pixel'),
    };
    if ((options.mode ?? 'nearest') === 'nearest') attributes.nearest_mode = attr.string(options.nearestMode ?? 'round_prefer_floor');
    let out: Dim[];
    let inputs: string[];
    if (options.sizes) {
      out = [shape[0]!, shape[1]!, ...options.sizes];
      // ONNX sizes cover every axis: N and C come from the runtime shape so the batch can stay symbolic.
      const shapeOf = this.node('Shape', [x], {}, { name: `${base}/shape`, dtype: DataType.INT64, shapes: [[shape.length]] })[0]!;
      const leading = this.node('Slice', [shapeOf, this.constInt64([0], [1], `${base}/zero`), this.constInt64([2], [1], `${base}/two`)], {}, { name: `${base}/batch_channels`, dtype: DataType.INT64, shapes: [[2]] })[0]!;
      const spatial = this.constInt64(options.sizes, [options.sizes.length], `${base}/spatial`);
      const sizes = this.node('Concat', [leading, spatial], { axis: attr.int(0) }, { name: `${base}/sizes`, dtype: DataType.INT64, shapes: [[shape.length]] })[0]!;
      inputs = [x, empty(), empty(), sizes];
    } else if (options.scales) {
      out = [shape[0]!, shape[1]!, ...options.scales.map((s, i) => { const d = shape[i + 2]; return typeof d === 'number' ? Math.floor(d * s) : null; })];
      inputs = [x, empty(), this.constFloat([1, 1, ...options.scales], [shape.length], `${base}/scales`)];
    } else {
      throw new UsageError('builder-resize', `resize on ${x}: give scales or sizes`);
    }
    return this.one('Resize', inputs, attributes, base, out);
  }

  /** ReduceSum over axes (opset 13 input form, attribute form before). */
  reduceSum(x: string, axes: readonly number[], keepDims = true, name?: string): string {
    const base = name ?? 'reduce_sum';
    const out = reducedShape(this.infos.get(x)?.shape, axes, keepDims);
    if (this.opset >= 13) return this.one('ReduceSum', [x, this.constInt64(axes, [axes.length], `${base}/axes`)], { keepdims: attr.int(keepDims ? 1 : 0) }, base, out);
    return this.one('ReduceSum', [x], { axes: attr.ints(axes), keepdims: attr.int(keepDims ? 1 : 0) }, base, out);
  }

  /** ReduceMean over axes (attribute form up to opset 17). */
  reduceMean(x: string, axes: readonly number[], keepDims = true, name?: string): string {
    const base = name ?? 'reduce_mean';
    const out = reducedShape(this.infos.get(x)?.shape, axes, keepDims);
    if (this.opset >= 18) return this.one('ReduceMean', [x, this.constInt64(axes, [axes.length], `${base}/axes`)], { keepdims: attr.int(keepDims ? 1 : 0) }, base, out);
    return this.one('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepDims ? 1 : 0) }, base, out);
  }

  /** Gather along `axis` with constant int64 indices of the given dims (default 1-D). */
  gather(x: string, indices: readonly number[], axis = 0, indexDims: readonly number[] = [indices.length], name?: string): string {
    const shape = this.infos.get(x)?.shape;
    const base = name ?? 'gather';
    let out: Dim[] | undefined;
    if (shape) {
      const a = normalizeAxis(axis, shape.length);
      out = [...shape.slice(0, a), ...indexDims, ...shape.slice(a + 1)];
    }
    return this.one('Gather', [x, this.constInt64(indices, indexDims, `${base}/indices`)], { axis: attr.int(axis) }, base, out);
  }

  // ---- result --------------------------------------------------------------------------------------

  /** The built model (IR version 8, default-domain opset as configured). The builder stays usable. */
  build(options: { docString?: string; metadata?: Record<string, string> } = {}): Model {
    if (this.outputs.length === 0) throw new UsageError('builder-no-output', 'the graph has no outputs; call output(tensor) first');
    const declared = new Set([...this.inputs, ...this.outputs].map((v) => v.name).concat(this.initializers.map((t) => t.name)));
    const valueInfo: ValueInfo[] = [];
    if (this.writeValueInfo) {
      for (const node of this.nodes) {
        for (const o of node.outputs) {
          const info = this.infos.get(o);
          if (declared.has(o) || !info?.shape || info.shape.some((d) => d === null)) continue;
          valueInfo.push({ name: o, elemType: info.dtype, shape: info.shape.slice() });
        }
      }
    }
    return {
      irVersion: 8,
      opsetImports: [{ domain: '', version: this.opset }],
      producerName: 'heatcheck',
      producerVersion: '',
      domain: '',
      modelVersion: 1,
      docString: options.docString ?? '',
      metadata: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        nodes: this.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: { ...n.attributes } })),
        initializers: this.initializers.slice(),
        inputs: this.inputs.map((v) => ({ ...v })),
        outputs: this.outputs.map((v) => ({ ...v })),
        valueInfo,
      },
    };
  }
}

function expand(v: number | readonly number[], n: number): number[] {
  return typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
}

function ceilDiv(d: Dim, s: number): Dim {
  return typeof d === 'number' ? Math.ceil(d / s) : null;
}

function reducedShape(shape: Dim[] | undefined, axes: readonly number[], keepDims: boolean): Dim[] | undefined {
  if (!shape) return undefined;
  const norm = axes.length === 0 ? shape.map((_, i) => i) : axes.map((a) => normalizeAxis(a, shape.length));
  return keepDims ? shape.map((d, i) => (norm.includes(i) ? 1 : d)) : shape.filter((_, i) => !norm.includes(i));
}

/** Number of elements ONNX Slice selects along one axis of size `d`. */
function sliceLength(d: number, start: number, end: number, step: number): number {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + d : start;
  let e = end < 0 ? end + d : end;
  if (step > 0) {
    s = clamp(s, 0, d);
    e = clamp(e, 0, d);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = clamp(s, -1, d - 1);
  e = clamp(e, -1, d - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

function inferDataType(data: Tensor['data']): DataTypeCode {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Float64Array) return DataType.DOUBLE;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Uint8Array) return DataType.UINT8;
  if (data instanceof Int8Array) return DataType.INT8;
  if (data instanceof Int16Array) return DataType.INT16;
  if (data instanceof Uint16Array) return DataType.UINT16;
  if (data instanceof Uint32Array) return DataType.UINT32;
  if (data instanceof BigUint64Array) return DataType.UINT64;
  return DataType.STRING;
}
