/**
 * `NetBuilder`: the graph builder plus what heatcheck's architectures need on top of it: every parameter
 * recorded with its role, fans and randomization block (so cards, parameter counts and re-initialisation
 * need no guessing), Keras-style conv + BatchNorm (+ ReLU) units, and the BN-without-gamma variant Keras
 * InceptionV3 uses.
 */
import { GraphBuilder, glorotUniform, heNormal, type InitializerFn, type Padding, type ParameterRole } from '../graph/builder.js';
import type { Dim } from '../graph/ir.js';
import { modelErrors } from './messages.js';

/** Which initialiser family an architecture is built with: Keras defaults (Glorot-uniform) or He-normal. */
export type InitializerKind = 'keras' | 'he';

/** One trainable parameter or BatchNorm statistic of a built model. */
export interface ParameterRecord {
  /** Initializer name in the ONNX graph. */
  readonly name: string;
  readonly role: ParameterRole;
  readonly dims: readonly number[];
  readonly fanIn: number;
  readonly fanOut: number;
  /** Randomization block owning it (`stem` for parts never randomized). */
  readonly block: string;
}

/**
 * Glorot-uniform kernels (limit sqrt(6 / (fanIn + fanOut)), Keras's default) drawing one 32-bit integer
 * per value, which is plenty for weights and makes InceptionV3's 22M values quick to draw; other roles as
 * the builder's `glorotUniform` (zero bias and shift and mean, unit scale and variance).
 */
export const kerasGlorotUniform: InitializerFn = (info) => {
  if (info.role !== 'weight') return glorotUniform(info);
  const limit = Math.sqrt(6 / Math.max(1, info.fanIn + info.fanOut));
  const out = new Float32Array(info.dims.reduce((a, b) => a * b, 1));
  const scale = (2 * limit) / 4294967296;
  for (let i = 0; i < out.length; i++) out[i] = info.rng.nextUint32() * scale - limit;
  return out;
};

/** The initialiser function of a family. */
export function initializerFor(kind: InitializerKind): InitializerFn {
  return kind === 'he' ? heNormal : kerasGlorotUniform;
}

/** Options of the Keras-style conv unit. */
export interface ConvUnitOptions {
  readonly filters: number;
  readonly kernel: number | readonly [number, number];
  readonly strides?: number;
  readonly padding?: Padding;
  /** Conv bias (default false: BN follows). */
  readonly bias?: boolean;
  /** BatchNorm after the conv (default true); `scale: false` drops gamma (Keras InceptionV3). */
  readonly batchNorm?: false | { readonly scale?: boolean; readonly epsilon?: number; readonly momentum?: number };
  readonly relu?: boolean;
  readonly name: string;
}

/** A graph builder that records parameters by block. */
export class NetBuilder {
  readonly graph: GraphBuilder;
  readonly parameters: ParameterRecord[] = [];
  private block = 'stem';
  private readonly ones = new Map<number, string>();

  constructor(options: { seed: number; initializer: InitializerKind; name: string }) {
    const base = initializerFor(options.initializer);
    const record: InitializerFn = (info) => {
      this.parameters.push({ name: info.name, role: info.role, dims: [...info.dims], fanIn: info.fanIn, fanOut: info.fanOut, block: this.block });
      return base(info);
    };
    this.graph = new GraphBuilder({ name: options.name, seed: options.seed, initializer: record });
  }

  /** Runs `body` with parameters attributed to `block`, optionally under a name scope of the same name. */
  inBlock<T>(block: string, body: () => T, scoped = true): T {
    const before = this.block;
    this.block = block;
    try {
      return scoped ? this.graph.scope(block, () => body()) : body();
    } finally {
      this.block = before;
    }
  }

  /** Channel count of a 4-D tensor (static). */
  channels(x: string): number {
    const c = this.graph.shapeOf(x)?.[1];
    if (typeof c !== 'number') throw modelErrors.internal(`channel count of ${x} is not static`);
    return c;
  }

  /** Spatial size [H, W] of a 4-D tensor (static). */
  spatial(x: string): [number, number] {
    const s = this.graph.shapeOf(x);
    const h = s?.[2];
    const w = s?.[3];
    if (typeof h !== 'number' || typeof w !== 'number') throw modelErrors.internal(`spatial size of ${x} is not static`);
    return [h, w];
  }

  /** Conv (no bias by default) -> BatchNorm -> ReLU, named `<name>`, `<name>/bn`, `<name>/relu`. */
  convUnit(x: string, options: ConvUnitOptions): string {
    const g = this.graph;
    const bn = options.batchNorm ?? {};
    const y = g.conv(x, {
      filters: options.filters,
      kernel: options.kernel,
      strides: options.strides ?? 1,
      padding: options.padding ?? 'same',
      bias: options.bias ?? bn === false,
      name: options.name,
    });
    const normed = bn === false ? y : this.batchNorm(y, { name: `/${y}/bn`, scale: bn.scale ?? true, epsilon: bn.epsilon ?? 1e-3, momentum: bn.momentum ?? 0.99 });
    return options.relu === false ? normed : g.relu(normed, `/${y}/relu`);
  }

  /**
   * BatchNormalization with Keras defaults. Without `scale` the gamma input is a shared Constant of ones
   * (ONNX needs one), which is not a parameter: Keras InceptionV3 has no gamma.
   */
  batchNorm(x: string, options: { name: string; scale?: boolean; epsilon?: number; momentum?: number }): string {
    const g = this.graph;
    const epsilon = options.epsilon ?? 1e-3;
    const momentum = options.momentum ?? 0.99;
    if (options.scale ?? true) return g.batchNorm(x, { name: options.name, epsilon, momentum });
    const c = this.channels(x);
    const base = options.name.startsWith('/') ? options.name.slice(1) : options.name;
    const param = (suffix: string, role: ParameterRole) => g.parameter(`/${base}/${suffix}`, [c], role, c, c);
    const inputs = [x, this.onesOf(c), param('shift', 'shift'), param('mean', 'mean'), param('variance', 'variance')];
    return g.node('BatchNormalization', inputs, { epsilon: { type: 'float', value: Math.fround(epsilon) }, momentum: { type: 'float', value: Math.fround(momentum) } }, {
      name: `/${base}`,
      shapes: [g.shapeOf(x) as Dim[]],
    })[0]!;
  }

  private onesOf(c: number): string {
    let name = this.ones.get(c);
    if (!name) {
      // A Constant node, not an initializer, so that reading the saved graph finds no gamma parameter.
      const value = { name: `ones_${c}`, dataType: 1, dims: [c], data: new Float32Array(c).fill(1) };
      name = this.graph.node('Constant', [], { value: { type: 'tensor', value } }, { name: `/constants/ones_${c}`, shapes: [[c]] })[0]!;
      this.ones.set(c, name);
    }
    return name;
  }
}
