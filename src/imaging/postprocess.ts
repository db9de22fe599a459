/**
 * Saliency map post-processing as composable steps, and the paper's pipeline built from them
 * (Arun et al. 2021, https://doi.org/10.1148/ryai.2021200267, via PAIR saliency's
 * `VisualizeImageGrayscale(m, percentile=99)` and a final min-max):
 *
 *   raw (C x H x W) -> |.| -> sum over channels -> clip((m - min) / (p99 - min), 0, 1) -> min-max
 *
 * Every result carries the steps that made it. A map that cannot be normalised (constant, or with the
 * 99th percentile equal to the minimum, which the paper's code turns into an all-NaN map) is flagged
 * `degenerate` and filled by the chosen policy (NaN, the paper's outcome, or zeros).
 */
import type { Batch } from '../core/batch.js';
import type { Map2D, ProcessingStep } from '../core/types.js';
import { mapErrors } from './map-messages.js';
import { percentileAndMin } from './percentile.js';

/** A raw attribution of one image: `channels` planes of `width` x `height`. */
export interface RawMap {
  readonly data: Float32Array | Float64Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** `'chw'` (planar, as in a `Batch`; the default) or `'hwc'` (channels last, as numpy/PAIR arrays). */
  readonly layout?: 'chw' | 'hwc';
}

/** What happens to the sign of attributions: absolute value (the paper), positive part, or kept. */
export type SignMode = 'abs' | 'positive' | 'signed';

/** How channels become one value per pixel: sum (the paper), max (XRAI's aggregation) or mean. */
export type ChannelReduce = 'sum' | 'max' | 'mean';

/** What fills a degenerate map: NaN (the paper's outcome; exclude it downstream) or zeros. */
export type DegeneratePolicy = 'nan' | 'zeros';

/** Options of `postprocessMap`; the defaults are the paper's pipeline (`postprocessPresets.arun2021`). */
export interface PostprocessOptions {
  /** Default `'abs'`. Applied to each value before the channel reduction. */
  readonly sign?: SignMode;
  /** Default `'sum'`. */
  readonly channels?: ChannelReduce;
  /** Upper percentile for the clip-and-scale step (default 99); `null` skips it. */
  readonly clipPercentile?: number | null;
  /** Final min-max to [0, 1] (default true). */
  readonly minMax?: boolean;
  /** Default `'nan'`. */
  readonly degenerate?: DegeneratePolicy;
}

/** Named option sets: `arun2021` (abs, channel sum, 99th-percentile clip, min-max) and common variants. */
export const postprocessPresets = Object.freeze({
  arun2021: Object.freeze({ sign: 'abs', channels: 'sum', clipPercentile: 99, minMax: true }),
  noClip: Object.freeze({ sign: 'abs', channels: 'sum', clipPercentile: null, minMax: true }),
  positive: Object.freeze({ sign: 'positive', channels: 'sum', clipPercentile: 99, minMax: true }),
  signed: Object.freeze({ sign: 'signed', channels: 'sum', clipPercentile: null, minMax: true }),
} satisfies Record<string, PostprocessOptions>);

/** A post-processed map with the steps that produced it. */
export interface PostprocessResult {
  /** The final 2-D map: in [0, 1] unless degenerate (then all NaN or all zeros per the policy). */
  readonly map: Map2D;
  readonly steps: readonly ProcessingStep[];
  readonly degenerate: boolean;
  /** Why the map is degenerate, when it is. */
  readonly degenerateReason: string | undefined;
}

/** A normalisation step's output: the map, or why it could not be normalised. */
export interface NormalizeResult {
  readonly map: Map2D;
  readonly low: number;
  readonly high: number;
  /** Set when `high === low`: the map is returned unchanged and the caller applies its policy. */
  readonly degenerateReason: string | undefined;
}

function checkRaw(what: string, raw: RawMap): void {
  const { width, height, channels } = raw;
  const ok = [width, height, channels].every((d) => Number.isInteger(d) && d > 0);
  if (!ok || raw.data.length !== width * height * channels) {
    throw mapErrors.shape(what, raw.data.length, `${channels}x${height}x${width}`, width * height * channels);
  }
  if (raw.layout !== undefined && raw.layout !== 'chw' && raw.layout !== 'hwc') throw mapErrors.badOption(what, 'layout', raw.layout, "'chw' or 'hwc'");
}

function checkMap(what: string, map: Map2D): void {
  if (!Number.isInteger(map.width) || !Number.isInteger(map.height) || map.width <= 0 || map.height <= 0 || map.data.length !== map.width * map.height) {
    throw mapErrors.shape(what, map.data.length, `${map.width}x${map.height}`, map.width * map.height);
  }
}

function checkFinite(what: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw mapErrors.notFinite(what, i, v);
  }
}

/** Minimum and maximum, and whether every value is finite, in one pass. */
function range(data: ArrayLike<number>): { low: number; high: number; finite: boolean } {
  let low = Infinity;
  let high = -Infinity;
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    bad += v - v;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return { low, high, finite: bad === 0 };
}

/** The item at `index` (default 0) of an NCHW batch as a raw map, sharing memory with the batch. */
export function rawMapFromBatch(batch: Batch, index = 0): RawMap {
  const [n, channels, height, width] = batch.shape;
  if (!Number.isInteger(index) || index < 0 || index >= n) throw mapErrors.badOption('rawMapFromBatch', 'index', index, `an item index in [0, ${n})`);
  const size = channels * height * width;
  return { data: batch.data.subarray(index * size, (index + 1) * size), width, height, channels, layout: 'chw' };
}

/**
 * Applies the sign mode to every value and reduces the channels to one 2-D map: e.g. the paper's
 * `sum_c |m_c|` is `{ sign: 'abs', reduce: 'sum' }` (the defaults). Accumulates in float64.
 */
export function reduceChannels(raw: RawMap, options: { readonly sign?: SignMode; readonly reduce?: ChannelReduce } = {}): Map2D {
  const what = 'reduceChannels';
  checkRaw(what, raw);
  const sign = options.sign ?? 'abs';
  const reduce = options.reduce ?? 'sum';
  if (!['abs', 'positive', 'signed'].includes(sign)) throw mapErrors.badOption(what, 'sign', sign, "'abs', 'positive' or 'signed'");
  if (!['sum', 'max', 'mean'].includes(reduce)) throw mapErrors.badOption(what, 'reduce', reduce, "'sum', 'max' or 'mean'");
  const { width, height, channels, data } = raw;
  const pixels = width * height;
  // Planar data steps by a whole plane between channels; channels-last data by one.
  const hwc = raw.layout === 'hwc';
  const channelStride = hwc ? 1 : pixels;
  const pixelStride = hwc ? channels : 1;
  const out = new Float32Array(pixels);
  // `bad` collects v - v over the input: 0 when every value is finite, NaN otherwise (one check at the end).
  let bad = 0;
  if (sign === 'abs' && reduce === 'sum' && channels === 3) {
    // The paper's case (three channels), unrolled and free of per-value branches.
    const s1 = channelStride;
    const s2 = 2 * channelStride;
    for (let p = 0; p < pixels; p++) {
      const base = p * pixelStride;
      const acc = Math.abs(data[base]!) + Math.abs(data[base + s1]!) + Math.abs(data[base + s2]!);
      bad += acc - acc;
      out[p] = acc;
    }
  } else if (sign === 'abs' && reduce === 'sum') {
    for (let p = 0; p < pixels; p++) {
      const base = p * pixelStride;
      let acc = 0;
      for (let c = 0; c < channels; c++) acc += Math.abs(data[base + c * channelStride]!);
      bad += acc - acc;
      out[p] = acc;
    }
  } else {
    for (let p = 0; p < pixels; p++) {
      const base = p * pixelStride;
      let acc = reduce === 'max' ? -Infinity : 0;
      for (let c = 0; c < channels; c++) {
        let v = data[base + c * channelStride]!;
        bad += v - v;
        if (sign === 'abs') v = Math.abs(v);
        else if (sign === 'positive' && v < 0) v = 0;
        if (reduce === 'max') {
          if (v > acc) acc = v;
        } else acc += v;
      }
      out[p] = reduce === 'mean' ? acc / channels : acc;
    }
  }
  if (bad !== 0) checkFinite(what, data);
  return { data: out, width, height };
}

/**
 * The paper's clip-and-scale (`VisualizeImageGrayscale`): `clip((m - min) / (p - min), 0, 1)` with `p`
 * the `percentile`-th percentile (default 99, numpy linear interpolation), so the top (100 - percentile)%
 * of pixels saturate at 1. `degenerateReason` is set (and the map returned unchanged) when p equals min.
 */
export function percentileClip(map: Map2D, options: { readonly percentile?: number } = {}): NormalizeResult {
  const what = 'percentileClip';
  checkMap(what, map);
  const q = options.percentile ?? 99;
  const { percentile: high, min: low } = percentileAndMin(map.data, q);
  if (high === low) {
    return { map, low, high, degenerateReason: `the ${q}th percentile equals the minimum (${low}): at least ${q}% of pixels share the lowest value` };
  }
  // low is the minimum, so only the upper clip can bite. Pixels at the percentile come within 2^-52 of 1
  // and round to exactly 1 in float32, so the result spans exactly [0, 1].
  const scale = 1 / (high - low);
  const data = map.data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < out.length; i++) {
    const v = (data[i]! - low) * scale;
    out[i] = v > 1 ? 1 : v;
  }
  return { map: { data: out, width: map.width, height: map.height }, low, high, degenerateReason: undefined };
}

/**
 * Min-max normalisation `(m - min) / (max - min)` to [0, 1]; `degenerateReason` is set (map unchanged) for
 * a constant map, and a map already spanning exactly [0, 1] is returned as is (no copy).
 */
export function minMaxNormalize(map: Map2D): NormalizeResult {
  const what = 'minMaxNormalize';
  checkMap(what, map);
  const { low, high, finite } = range(map.data);
  if (!finite) checkFinite(what, map.data);
  if (high === low) return { map, low, high, degenerateReason: `the map is constant (${low})` };
  // After the percentile clip the map already spans exactly [0, 1]; scaling would return the same values.
  if (low === 0 && high === 1) return { map, low, high, degenerateReason: undefined };
  const span = high - low;
  const data = map.data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < out.length; i++) out[i] = (data[i]! - low) / span;
  return { map: { data: out, width: map.width, height: map.height }, low, high, degenerateReason: undefined };
}

function isRawMap(value: RawMap | Map2D): value is RawMap {
  return typeof (value as RawMap).channels === 'number';
}

/**
 * Post-processes one raw attribution into the final 2-D map, recording every step: sign (default
 * `'abs'`), channel reduction (default `'sum'`), percentile clip-and-scale (default 99; `null` skips),
 * min-max (default on). Defaults reproduce the paper (`postprocessPresets.arun2021`). A degenerate map
 * is flagged and filled per `degenerate` (default `'nan'`, the paper's outcome).
 */
export function postprocessMap(raw: RawMap | Map2D, options: PostprocessOptions = {}): PostprocessResult {
  const what = 'postprocessMap';
  const sign = options.sign ?? 'abs';
  const channels = options.channels ?? 'sum';
  const clip = options.clipPercentile === undefined ? 99 : options.clipPercentile;
  const minMax = options.minMax ?? true;
  const policy = options.degenerate ?? 'nan';
  if (policy !== 'nan' && policy !== 'zeros') throw mapErrors.badOption(what, 'degenerate', policy, "'nan' or 'zeros'");
  if (clip !== null && !(clip > 0 && clip <= 100)) throw mapErrors.badOption(what, 'clipPercentile', clip, 'a percentile in (0, 100] or null');
  const input: RawMap = isRawMap(raw) ? raw : { data: raw.data, width: raw.width, height: raw.height, channels: 1 };
  const steps: ProcessingStep[] = [];
  let map = reduceChannels(input, { sign, reduce: channels });
  if (sign !== 'signed') steps.push({ op: sign === 'abs' ? 'abs' : 'positive-part' });
  steps.push({ op: `channel-${channels}`, options: { channels: input.channels } });
  let reason: string | undefined;
  if (clip !== null) {
    const clipped = percentileClip(map, { percentile: clip });
    steps.push({ op: 'percentile-clip', options: { percentile: clip, interpolation: 'linear', low: clipped.low, high: clipped.high } });
    reason = clipped.degenerateReason;
    map = clipped.map;
  }
  if (minMax && reason === undefined && clip !== null) {
    // A successful clip leaves exactly 0 at the minimum and 1 from the percentile up: min-max is the identity.
    steps.push({ op: 'min-max', options: { low: 0, high: 1 } });
  } else if (minMax && reason === undefined) {
    const normalized = minMaxNormalize(map);
    steps.push({ op: 'min-max', options: { low: normalized.low, high: normalized.high } });
    reason = normalized.degenerateReason;
    map = normalized.map;
  }
  if (reason !== undefined) {
    map = { data: new Float32Array(map.data.length).fill(policy === 'nan' ? NaN : 0), width: map.width, height: map.height };
    steps.push({ op: 'degenerate', options: { policy, reason } });
  }
  return { map, steps, degenerate: reason !== undefined, degenerateReason: reason };
}
