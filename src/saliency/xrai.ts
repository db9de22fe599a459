/**
 * XRAI (Kapishnikov et al., ICCV 2019), as PAIR `saliency` core `XRAI.GetMaskWithDetails` with its
 * defaults (the paper's XRAI): Integrated Gradients with 100 steps from two constant baselines, the
 * image's minimum and maximum, averaged and reduced over channels by max; Felzenszwalb segments at six
 * scales (image rescaled to [-1, 1], resized to 224x224), resized back and dilated by disk(5); then the
 * "full" greedy ranking by attribution density. The raw map (1 x H x W) holds, at every pixel, the gain
 * of the region that first covered it. Segmentations are cached by image content, so re-explaining an
 * image (another model, a randomised copy) segments it once.
 */
import { itemSize, makeBatch } from '../core/batch.js';
import { stableHash } from '../core/hash.js';
import { integratePaths } from './integrated-gradients.js';
import { defineMethod, imageRange } from './method.js';
import { saliencyErrors } from './messages.js';
import type { SaliencyMapDetails, SaliencyMethodInfo, SaliencyMethod } from './types.js';
import { defaultXraiRanking, rankXraiRegions } from './xrai/ranking.js';
import { whileRunning, yieldToEngine } from './pipeline.js';
import { defaultXraiSegmentation, type XraiMasks, type XraiSegmentationOptions, xraiSegmentsAsync } from './xrai/segments.js';

/** Options of XRAI; defaults are PAIR's. */
export interface XraiOptions extends XraiSegmentationOptions {
  /** IG steps per baseline (default 100). */
  readonly steps: number;
  /** `'min-max'` (default: constant images at the image's minimum and maximum) or a list of constants. */
  readonly baselines: 'min-max' | readonly number[];
  /** Stop ranking once this fraction of the image is covered (default 1.0). */
  readonly areaThreshold: number;
  /** Skip candidate regions adding fewer new pixels (default 50). */
  readonly minPixelDiff: number;
  /** Put the region ranks (1 = most important) in `details.segments` (default false). */
  readonly returnSegments: boolean;
  /** Put the averaged IG (C x H x W) in `details.ig` (default false). */
  readonly returnIg: boolean;
}

/** Id, paper and defaults of XRAI. */
export const info: SaliencyMethodInfo<XraiOptions> = Object.freeze({
  id: 'xrai',
  name: 'XRAI',
  paper: 'https://arxiv.org/abs/1906.02825',
  needs: Object.freeze(['inputGradients'] as const),
  defaults: Object.freeze({
    ...defaultXraiSegmentation,
    steps: 100,
    baselines: 'min-max',
    ...defaultXraiRanking,
    returnSegments: false,
    returnIg: false,
  } as const),
  finalize: 'grayscale',
  stochastic: false,
});

function validate(o: XraiOptions): void {
  const bad = (option: string, value: unknown, expected: string): never => {
    throw saliencyErrors.badOption(info.id, option, value, expected);
  };
  if (!Number.isInteger(o.steps) || o.steps < 1) bad('steps', o.steps, 'a positive integer');
  if (o.baselines !== 'min-max' && !(Array.isArray(o.baselines) && o.baselines.length > 0 && o.baselines.every(Number.isFinite))) {
    bad('baselines', o.baselines, "'min-max' or a non-empty list of numbers");
  }
  if (!(Array.isArray(o.scales) && o.scales.length > 0 && o.scales.every((s) => s > 0))) bad('scales', o.scales, 'a non-empty list of positive numbers');
  if (!(o.sigma >= 0)) bad('sigma', o.sigma, 'a number >= 0');
  if (!Number.isInteger(o.minSize) || o.minSize < 1) bad('minSize', o.minSize, 'a positive integer');
  if (o.resizeTo !== null && (!Number.isInteger(o.resizeTo) || o.resizeTo < 2)) bad('resizeTo', o.resizeTo, 'an integer >= 2 or null');
  if (!Number.isInteger(o.dilationRadius) || o.dilationRadius < 0) bad('dilationRadius', o.dilationRadius, 'an integer >= 0');
  if (!(o.areaThreshold > 0 && o.areaThreshold <= 1)) bad('areaThreshold', o.areaThreshold, 'a fraction in (0, 1]');
  if (!Number.isInteger(o.minPixelDiff) || o.minPixelDiff < 1) bad('minPixelDiff', o.minPixelDiff, 'a positive integer');
}

/** A bounded cache of XRAI segmentations keyed by image content and segmentation options. */
export interface XraiSegmentCache {
  get(key: string): XraiMasks | undefined;
  set(key: string, masks: XraiMasks): void;
  clear(): void;
}

/** Makes a least-recently-used segmentation cache holding up to `capacity` images (about 6 MB each at 320x320). */
export function createXraiSegmentCache(capacity = 8): XraiSegmentCache {
  const entries = new Map<string, XraiMasks>();
  return {
    get(key) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
      }
      return hit;
    },
    set(key, masks) {
      if (capacity < 1) return;
      entries.delete(key);
      entries.set(key, masks);
      while (entries.size > capacity) entries.delete(entries.keys().next().value!);
    },
    clear() {
      entries.clear();
    },
  };
}

/** The cache the default `xrai` method uses; call `clear()` to free it. */
export const xraiSegmentCache: XraiSegmentCache = createXraiSegmentCache();

/** Makes an XRAI method that keeps segmentations in `cache` (pass a bigger one for long audits). */
export function makeXrai(cache: XraiSegmentCache): SaliencyMethod<XraiOptions> {
  return defineMethod<XraiOptions>(
    info,
    async (request) => {
      const { batch, options } = request;
      const [n, c, h, w] = batch.shape;
      const per = itemSize(batch);
      const constantsOf = (i: number): readonly number[] => {
        if (options.baselines !== 'min-max') return options.baselines;
        const { min, max } = imageRange(request.reference, i);
        return [min, max];
      };
      const perImage = Array.from({ length: n }, (_, i) => constantsOf(i));
      const total = perImage.reduce((s, b) => s + b.length, 0);
      // One IG path per (image, baseline), all packed into shared model calls.
      const inputs = new Float32Array(total * per);
      const baselines = new Float32Array(total * per);
      const targets = new Int32Array(total);
      let row = 0;
      for (let i = 0; i < n; i++) {
        for (const constant of perImage[i]!) {
          inputs.set(batch.data.subarray(i * per, (i + 1) * per), row * per);
          baselines.fill(constant, row * per, (row + 1) * per);
          targets[row] = request.targets[i]!;
          row++;
        }
      }
      const igPass = integratePaths({
        model: request.model,
        inputs: makeBatch(inputs, [total, c, h, w]),
        baselines,
        targets,
        steps: options.steps,
        rule: 'pair',
        batchSize: request.batchSize,
        progress: (units) => request.progress(units / Math.max(1, total / n)),
        method: info.id,
      });
      const segmentation: XraiSegmentationOptions = {
        scales: options.scales,
        sigma: options.sigma,
        minSize: options.minSize,
        resizeTo: options.resizeTo,
        dilationRadius: options.dilationRadius,
      };
      // Segment while the passes run (they run on the engine's lanes).
      const [ig, segments] = await whileRunning(igPass, async () => {
        const out: XraiMasks[] = [];
        for (let i = 0; i < n; i++) {
          const image = batch.data.subarray(i * per, (i + 1) * per);
          const key = stableHash({ image, shape: [c, h, w], segmentation });
          let masks = cache.get(key);
          if (!masks) {
            masks = await xraiSegmentsAsync(image, c, h, w, segmentation, yieldToEngine);
            cache.set(key, masks);
          }
          out.push(masks);
        }
        return out;
      });

      const out = new Float32Array(n * h * w);
      const details: SaliencyMapDetails[] = [];
      row = 0;
      for (let i = 0; i < n; i++) {
        const count = perImage[i]!.length;
        const mean = new Float32Array(per);
        for (let v = 0; v < per; v++) {
          let s = 0;
          for (let b = 0; b < count; b++) s += ig.data[(row + b) * per + v]!;
          mean[v] = s / count;
        }
        row += count;
        const plane = h * w;
        const attr = new Float32Array(plane).fill(-Infinity);
        for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) attr[p] = Math.max(attr[p]!, mean[ch * plane + p]!);

        const masks = segments[i]!;
        const ranking = rankXraiRegions(attr, masks.masks, { areaThreshold: options.areaThreshold, minPixelDiff: options.minPixelDiff });
        out.set(Float32Array.from(ranking.gains), i * plane);
        const extra: Record<string, SaliencyMapDetails[string]> = { masks: masks.masks.length, regions: ranking.regions.length };
        if (options.returnSegments) extra.segments = ranking.ranks;
        if (options.returnIg) extra.ig = makeBatch(mean, [1, c, h, w]);
        details.push(extra);
      }
      return { maps: makeBatch(out, [n, 1, h, w]), details };
    },
    validate,
  );
}

/** XRAI for every image; raw maps are 1 x H x W region gains. */
export const xrai = makeXrai(xraiSegmentCache);
