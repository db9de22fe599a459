/**
 * Which positive test images an audit explains. `arun2021` is the paper's scripts' choice:
 * `random.seed(1)`, then `random.shuffle` of the positive test images' positions, then the first 100,
 * reproduced with CPython's generator (`python-random.ts`); the chosen images keep test-split order, in
 * which the maps were made. `seeded` shuffles with heatcheck's own generator; `first` takes the first.
 */
import { createRng } from '../core/rng.js';
import { criteriaErrors } from './messages.js';
import { createPythonRandom } from './python-random.js';

/** How images are chosen: the paper's Python shuffle, heatcheck's seeded shuffle, or the first in test order. */
export type SelectionMethod = 'arun2021' | 'seeded' | 'first';

/** Options of `selectImages`. */
export interface SelectionOptions {
  readonly method: SelectionMethod;
  /** How many images, or every one. */
  readonly count: number | 'all';
  /** Seed of the shuffle (the paper's `random.seed(1)` for `arun2021`). */
  readonly seed: number;
}

/** The chosen items in test-split order, with their positions among the candidates. */
export interface Selection<T> {
  readonly items: T[];
  /** Positions of the chosen items among the candidates, ascending. */
  readonly positions: number[];
  /** Candidates available. */
  readonly available: number;
  /** Fewer candidates than `count`: every candidate was taken. */
  readonly short: boolean;
}

/**
 * Chooses `count` of the candidate images (pass the positive test images in split-file order, as the
 * paper's `x_test` after `train_test_split`). Returns them in that order; the same options always give
 * the same images.
 */
export function selectImages<T>(candidates: readonly T[], options: SelectionOptions): Selection<T> {
  const n = candidates.length;
  const count = options.count;
  if (count !== 'all' && (!Number.isInteger(count) || count < 1)) throw criteriaErrors.badOption('selectImages', 'count', count, "a positive integer or 'all'");
  const take = count === 'all' ? n : Math.min(count, n);
  const order = Array.from({ length: n }, (_, i) => i);
  if (count !== 'all' && take < n) {
    if (options.method === 'arun2021') createPythonRandom(options.seed).shuffle(order);
    else if (options.method === 'seeded') createRng(options.seed).shuffle(order);
    else if (options.method !== 'first') throw criteriaErrors.badOption('selectImages', 'method', options.method, "'arun2021', 'seeded' or 'first'");
  }
  const positions = order.slice(0, take).sort((a, b) => a - b);
  return { items: positions.map((p) => candidates[p]!), positions, available: n, short: count !== 'all' && count > n };
}
