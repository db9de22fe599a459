/**
 * Model randomization tests (Adebayo et al. 2018, https://arxiv.org/abs/1810.03292; Arun et al. 2021
 * section 7). Cascading: states Original, then each block from the top down (Logits, mixed10, ...,
 * mixed1), cumulative; independent: one block at a time. A randomized block's parameters are re-drawn
 * with the architecture's own initialiser (Keras defaults: Glorot-uniform kernels, zero biases, BN gamma 1,
 * beta 0, moving mean 0, variance 1) from a generator seeded by the seed and the tensor name.
 */
import { createRng } from '../core/rng.js';
import type { Model, Tensor } from '../graph/ir.js';
import type { RandomizationBlock } from './architecture.js';
import { modelErrors } from './messages.js';
import { initializerFor, type InitializerKind, type ParameterRecord } from './net-builder.js';

/** Options of `randomizationStates`. */
export interface RandomizationOptions {
  /** Seed of the re-initialised values. */
  readonly seed: number;
  /** `cascading` (default, cumulative from the top) or `independent` (one block per state). */
  readonly mode?: 'cascading' | 'independent';
  /** Initialiser family (default `keras`). */
  readonly initializer?: InitializerKind;
  /** Only these blocks, in this order (default: all blocks top-down). */
  readonly blocks?: readonly string[];
}

/** One model state of a randomization test. */
export interface RandomizationState {
  /** `original`, or the block randomized last (`logits`, `mixed10`, ...). */
  readonly name: string;
  readonly index: number;
  /** Every block randomized in this state. */
  readonly randomizedBlocks: readonly string[];
  /** Every initializer whose values differ from the original's. */
  readonly randomizedInitializers: readonly string[];
  readonly model: Model;
}

/** Fresh values of one parameter, a pure function of the seed, the initialiser and the tensor name. */
export function reinitialize(p: ParameterRecord, seed: number, kind: InitializerKind): Float32Array {
  return initializerFor(kind)({ name: p.name, dims: p.dims, role: p.role, fanIn: p.fanIn, fanOut: p.fanOut, rng: createRng(seed).fork(`randomize:${p.name}`) });
}

/**
 * The states of a randomization test, lazily (each shares unchanged weights with the original). The
 * first state is the original model. Throws `UsageError` for an unknown block name.
 */
export function* randomizationStates(
  model: Model,
  blocks: readonly RandomizationBlock[],
  parameters: readonly ParameterRecord[],
  options: RandomizationOptions,
): Generator<RandomizationState> {
  const byName = new Map(blocks.map((b) => [b.name, b]));
  const chosen = (options.blocks ?? blocks.map((b) => b.name)).map((name) => {
    const b = byName.get(name);
    if (!b) throw modelErrors.unknownBlock(name, blocks.map((x) => x.name));
    return b;
  });
  const records = new Map(parameters.map((p) => [p.name, p]));
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  for (const b of chosen) for (const name of b.initializers) if (!initializers.has(name) || !records.has(name)) throw modelErrors.unknownBlockInitializer(b.name, name);
  const kind = options.initializer ?? 'keras';
  const cache = new Map<string, Float32Array>();
  const fresh = (name: string) => {
    let v = cache.get(name);
    if (!v) {
      v = reinitialize(records.get(name)!, options.seed, kind);
      cache.set(name, v);
    }
    return v;
  };
  yield { name: 'original', index: 0, randomizedBlocks: [], randomizedInitializers: [], model };
  const cumulative = (options.mode ?? 'cascading') === 'cascading';
  let done: RandomizationBlock[] = [];
  for (const [k, block] of chosen.entries()) {
    done = cumulative ? [...done, block] : [block];
    const names = new Set(done.flatMap((b) => b.initializers));
    const tensors: Tensor[] = model.graph.initializers.map((t) => (names.has(t.name) ? { ...t, data: fresh(t.name) } : t));
    yield {
      name: block.name,
      index: k + 1,
      randomizedBlocks: done.map((b) => b.name),
      randomizedInitializers: [...names],
      model: { ...model, graph: { ...model.graph, initializers: tensors } },
    };
    if (!cumulative) for (const name of block.initializers) cache.delete(name);
  }
}
