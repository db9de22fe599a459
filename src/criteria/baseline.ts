/**
 * The randomization baseline (Arun et al. 2021): the mean SSIM between the trained model's maps of
 * different images, i.e. how similar two unrelated maps of this method are. A randomized map that falls
 * below it has lost the image-specific structure.
 *
 * Two seeded sampling schemes:
 * - `arun2021`, the released code's sampling kept quirk for quirk: for each of the N images, `pairsPerImage`
 *   (50) draws of `idx1, idx2 = randint(0, N - 1)` with numpy's exclusive upper end (so the last image is
 *   never drawn), `idx2` redrawn while equal to `idx1`, on the first replicate only: N x 50 pairs, not the
 *   caption's 50. The paper's draws were unseeded; here they come from `createRng(seed)`.
 * - `uniform`: `pairs` pairs of distinct images drawn uniformly from all N, spread round-robin over the
 *   chosen replicates (all of them in the `recommended` preset).
 */
import { createRng } from '../core/rng.js';
import type { Map2D } from '../core/types.js';
import { ssimDetails, type SsimOptions } from '../metrics/ssim.js';
import { criteriaErrors } from './messages.js';

/** How baseline pairs are drawn. */
export type BaselineScheme = 'arun2021' | 'uniform';

/** Options of the randomization baseline. */
export interface BaselineOptions {
  readonly scheme: BaselineScheme;
  /** Draws per image in the `arun2021` scheme (the paper's 50). */
  readonly pairsPerImage: number;
  /** Total pairs in the `uniform` scheme. */
  readonly pairs: number;
  /** Which trained replicates' maps are paired: the first only (the paper) or all. */
  readonly replicates: 'first' | 'all';
  readonly seed: number;
}

/** One sampled pair: two image indices of one replicate's maps. */
export interface BaselinePair {
  readonly replicate: number;
  readonly a: number;
  readonly b: number;
}

/** The SSIM settings criteria use: everything of `SsimOptions` but the map size. */
export type MapSsimOptions = Omit<SsimOptions, 'width' | 'height'>;

/** Maps of one model by image index: an array, or a lookup (e.g. reading cached maps). */
export type MapSource = readonly Map2D[] | ((index: number) => Map2D);

/** The randomization baseline of one method, with how it was sampled. */
export interface RandomizationBaseline {
  /** Mean SSIM over the pairs with a defined SSIM. */
  readonly value: number;
  readonly sd: number;
  /** Pairs drawn, and pairs excluded because a map was degenerate (NaN). */
  readonly pairs: number;
  readonly excluded: number;
  readonly scheme: BaselineScheme;
  readonly replicatesUsed: number;
  readonly seed: number;
  readonly pairsPerImage: number | null;
}

function mapAt(source: MapSource, index: number): Map2D {
  if (typeof source === 'function') return source(index);
  const map = source[index];
  if (!map) throw criteriaErrors.badOption('randomizationBaseline', 'maps', `index ${index}`, `a map for each of the images`);
  return map;
}

function checkOptions(n: number, options: BaselineOptions): void {
  const what = 'randomization baseline';
  if (options.scheme !== 'arun2021' && options.scheme !== 'uniform') throw criteriaErrors.badOption(what, 'scheme', options.scheme, "'arun2021' or 'uniform'");
  if (!Number.isSafeInteger(options.seed)) throw criteriaErrors.badOption(what, 'seed', options.seed, 'a safe integer');
  if (options.scheme === 'arun2021') {
    if (!Number.isInteger(options.pairsPerImage) || options.pairsPerImage < 1) throw criteriaErrors.badOption(what, 'pairsPerImage', options.pairsPerImage, 'a positive integer');
    // randint(0, N - 1) excludes N - 1, so two distinct indices need N >= 3.
    if (n < 3) throw criteriaErrors.tooFewImages(`${what} (arun2021 sampling)`, n, 3);
  } else {
    if (!Number.isInteger(options.pairs) || options.pairs < 1) throw criteriaErrors.badOption(what, 'pairs', options.pairs, 'a positive integer');
    if (n < 2) throw criteriaErrors.tooFewImages(what, n, 2);
  }
}

/**
 * The seeded pairs of the baseline for `imageCount` images and `replicateCount` trained replicates (see the
 * module comment for the two schemes). The same options always give the same pairs.
 */
export function sampleBaselinePairs(imageCount: number, replicateCount: number, options: BaselineOptions): BaselinePair[] {
  checkOptions(imageCount, options);
  const rng = createRng(options.seed);
  const pairs: BaselinePair[] = [];
  if (options.scheme === 'arun2021') {
    const high = imageCount - 1; // numpy randint's exclusive upper end, kept from the paper's code
    for (let i = 0; i < imageCount; i++) {
      for (let j = 0; j < options.pairsPerImage; j++) {
        const a = rng.int(high);
        let b = rng.int(high);
        while (b === a) b = rng.int(high);
        pairs.push({ replicate: 0, a, b });
      }
    }
    return pairs;
  }
  const replicates = options.replicates === 'all' ? Math.max(1, replicateCount) : 1;
  for (let k = 0; k < options.pairs; k++) {
    const a = rng.int(imageCount);
    // Uniform over the other N - 1 images.
    let b = rng.int(imageCount - 1);
    if (b >= a) b++;
    pairs.push({ replicate: k % replicates, a, b });
  }
  return pairs;
}

/**
 * The randomization baseline of one method: mean SSIM between the trained maps of the sampled image
 * pairs (`replicates[r]` holds replicate r's maps by image index). Pairs whose SSIM is NaN (a degenerate
 * map) are excluded and counted, where the paper's `np.mean` would have returned NaN.
 */
export function randomizationBaseline(replicates: readonly MapSource[], imageCount: number, options: BaselineOptions, ssim: MapSsimOptions): RandomizationBaseline {
  if (replicates.length === 0) throw criteriaErrors.badOption('randomizationBaseline', 'replicates', 0, 'the maps of at least one trained replicate');
  const pairs = sampleBaselinePairs(imageCount, replicates.length, options);
  let sum = 0;
  let sumSq = 0;
  let used = 0;
  for (const pair of pairs) {
    const source = replicates[pair.replicate]!;
    const value = mapSsim(mapAt(source, pair.a), mapAt(source, pair.b), ssim).ssim;
    if (!Number.isFinite(value)) continue;
    sum += value;
    sumSq += value * value;
    used++;
  }
  const mean = used ? sum / used : NaN;
  return {
    value: mean,
    sd: used > 1 ? Math.sqrt(Math.max(0, (sumSq - used * mean * mean) / (used - 1))) : NaN,
    pairs: pairs.length,
    excluded: pairs.length - used,
    scheme: options.scheme,
    replicatesUsed: options.scheme === 'arun2021' || options.replicates === 'first' ? 1 : replicates.length,
    seed: options.seed,
    pairsPerImage: options.scheme === 'arun2021' ? options.pairsPerImage : null,
  };
}

/** SSIM of two final maps of one image (or two images), with whether either map is degenerate (NaN or constant). */
export interface MapComparison {
  /** NaN when either map holds NaN (a degenerate map under the NaN policy). */
  readonly ssim: number;
  /** Either map held NaN or was constant (then SSIM rests on the stabilising constants only). */
  readonly degenerate: boolean;
}

/** SSIM between two maps of the same size with the criteria's SSIM settings, flagging degenerate maps. */
export function mapSsim(a: Map2D, b: Map2D, options: MapSsimOptions): MapComparison {
  if (a.width !== b.width || a.height !== b.height) throw criteriaErrors.sizeMismatch('mapSsim', `${a.width}x${a.height}`, `${b.width}x${b.height}`);
  const d = ssimDetails(a.data, b.data, { ...options, width: a.width, height: a.height });
  return { ssim: d.value, degenerate: d.hasNaN || d.constantA || d.constantB };
}
