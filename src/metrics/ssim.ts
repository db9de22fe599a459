/**
 * Structural similarity (Wang et al. 2004, https://doi.org/10.1109/TIP.2003.819861) of two 2-D maps,
 * computed as scikit-image's `structural_similarity` does: local means, variances and covariance under
 * a window, the SSIM map, and its mean after cropping `(winSize - 1) / 2` pixels from every border (so
 * no window reaching outside the map is used and the border mode never matters).
 *
 * Separable window sums in float64 over the valid region only: each input row is filtered once into a
 * ring holding the last `winSize` rows (bounded memory, stays in cache), and the column pass is fused
 * with the SSIM formula. Running sums along rows and columns for the box window (O(n) whatever its
 * size); weighted sums with the symmetric taps folded for the Gaussian one.
 */
import { checkMapSize, type Numbers } from './arrays.js';
import { metricsErrors } from './messages.js';

/** The local window: a uniform box (scikit-image's default) or a Gaussian (Wang et al.). */
export type SsimWindow = 'box' | 'gaussian';

/** Window and covariance settings of SSIM (everything but the map size and data range). */
export interface SsimSettings {
  readonly window: SsimWindow;
  /** Side of the box window (odd, default 7); for the Gaussian window it must equal `2 * round(truncate * sigma) + 1` when given. */
  readonly winSize?: number;
  /** Gaussian standard deviation in pixels (default 1.5); ignored for the box window. */
  readonly sigma?: number;
  /** Gaussian truncation in standard deviations (default 3.5, scikit-image's); ignored for the box window. */
  readonly truncate?: number;
  /** Scale variances and covariance by NP / (NP - 1), NP the window's pixel count (default true, scikit-image's default). */
  readonly sampleCovariance?: boolean;
  /** Stabilising constants: C1 = (k1 * dataRange)^2 (default 0.01), C2 = (k2 * dataRange)^2 (default 0.03). */
  readonly k1?: number;
  readonly k2?: number;
}

/** Options of `ssim`: map size, the required data range, and window settings (see `ssimSettings`). */
export interface SsimOptions extends SsimSettings {
  readonly width: number;
  readonly height: number;
  /**
   * Range of possible values, required (never inferred). The paper's scikit-image inferred 2 for float
   * maps in [0, 1] (the float dtype range -1..1) and 255 for uint8 maps; 1 is the natural value for [0, 1].
   */
  readonly dataRange: number;
}

/**
 * Named settings: `arun2021` is scikit-image's default used by the paper (7x7 box, sample covariance,
 * 3-pixel crop); `wang2004` is the Gaussian window of Wang et al. (sigma 1.5, 11x11 as scikit-image
 * truncates it at 3.5 sigma, population covariance). Spread one into the options with a data range.
 */
export const ssimSettings = Object.freeze({
  arun2021: Object.freeze({ window: 'box', winSize: 7, sampleCovariance: true }),
  wang2004: Object.freeze({ window: 'gaussian', sigma: 1.5, truncate: 3.5, winSize: 11, sampleCovariance: false }),
} satisfies Record<string, SsimSettings>);

/** SSIM of two maps with the facts a report should flag. */
export interface SsimDetails {
  /** Mean SSIM over the cropped map; NaN when an input holds NaN (as scikit-image). */
  readonly value: number;
  /** True when map `a` (or `b`) is constant: its SSIM then rests on the constants C1 and C2 only. */
  readonly constantA: boolean;
  readonly constantB: boolean;
  /** True when an input holds NaN (e.g. a degenerate map post-processed with the NaN policy). */
  readonly hasNaN: boolean;
  /** Fully resolved settings, defaults included. */
  readonly settings: Required<SsimSettings> & { readonly dataRange: number };
  /** Size of the cropped SSIM map that was averaged. */
  readonly croppedWidth: number;
  readonly croppedHeight: number;
}

function resolve(options: SsimOptions): Required<SsimSettings> & { readonly dataRange: number } {
  const what = 'ssim';
  if (options.window !== 'box' && options.window !== 'gaussian') throw metricsErrors.badOption(what, 'window', options.window, "'box' or 'gaussian'");
  if (typeof options.dataRange !== 'number' || !Number.isFinite(options.dataRange) || options.dataRange <= 0) {
    throw metricsErrors.badOption(
      what,
      'dataRange',
      options.dataRange,
      'a positive number (required: 2 reproduces the paper for float maps in [0, 1], 1 is their true range, 255 for uint8 maps)',
    );
  }
  const sigma = options.sigma ?? 1.5;
  const truncate = options.truncate ?? 3.5;
  let winSize: number;
  if (options.window === 'gaussian') {
    if (!(sigma > 0) || !(truncate > 0)) throw metricsErrors.badOption(what, 'sigma/truncate', [sigma, truncate], 'positive numbers');
    // scipy's gaussian_filter radius: int(truncate * sigma + 0.5).
    winSize = 2 * Math.floor(truncate * sigma + 0.5) + 1;
    if (options.winSize !== undefined && options.winSize !== winSize) {
      throw metricsErrors.badOption(what, 'winSize', options.winSize, `${winSize} for a Gaussian window of sigma ${sigma} truncated at ${truncate} sigma`);
    }
  } else {
    winSize = options.winSize ?? 7;
    if (!Number.isInteger(winSize) || winSize < 3 || winSize % 2 !== 1) throw metricsErrors.badOption(what, 'winSize', winSize, 'an odd integer >= 3');
  }
  return {
    window: options.window,
    winSize,
    sigma,
    truncate,
    sampleCovariance: options.sampleCovariance ?? true,
    k1: options.k1 ?? 0.01,
    k2: options.k2 ?? 0.03,
    dataRange: options.dataRange,
  };
}

/** Normalised 1-D window weights (box: all 1/size; Gaussian: scipy's truncated kernel). */
function windowWeights(settings: Required<SsimSettings>): Float64Array {
  const size = settings.winSize;
  const w = new Float64Array(size);
  if (settings.window === 'box') return w.fill(1 / size);
  const radius = (size - 1) / 2;
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const v = Math.exp((-0.5 * k * k) / (settings.sigma * settings.sigma));
    w[k + radius] = v;
    sum += v;
  }
  for (let k = 0; k < size; k++) w[k]! /= sum;
  return w;
}

function isConstant(values: Float64Array): boolean {
  const first = values[0]!;
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false;
  return true;
}

function hasNaNValue(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) return true;
  return false;
}

/**
 * Row-filtered statistics x, y, x², y², xy of the last `size` input rows, in a ring of `size` slots of
 * (width - size + 1) values each: the column pass only ever needs those rows, so they stay in cache.
 */
class RowRing {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly xx: Float64Array;
  readonly yy: Float64Array;
  readonly xy: Float64Array;

  constructor(
    private readonly size: number,
    private readonly outW: number,
  ) {
    this.x = new Float64Array(size * outW);
    this.y = new Float64Array(size * outW);
    this.xx = new Float64Array(size * outW);
    this.yy = new Float64Array(size * outW);
    this.xy = new Float64Array(size * outW);
  }

  /** Offset of the slot holding input row `row`. */
  offset(row: number): number {
    return (row % this.size) * this.outW;
  }

  /**
   * Window means along input row `row` (valid columns only) into its slot. The box window uses running
   * sums (O(1) per pixel whatever its size); the Gaussian one folds its symmetric taps.
   */
  fill(a: Float64Array, b: Float64Array, width: number, row: number, weights: Float64Array, box: boolean): void {
    const { size, outW, x: px, y: py, xx: pxx, yy: pyy, xy: pxy } = this;
    const src = row * width;
    const o = this.offset(row);
    if (box) {
      const inv = 1 / size;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let k = 0; k < size; k++) {
        const p = a[src + k]!;
        const q = b[src + k]!;
        sx += p;
        sy += q;
        sxx += p * p;
        syy += q * q;
        sxy += p * q;
      }
      for (let c = 0; ; c++) {
        px[o + c] = sx * inv;
        py[o + c] = sy * inv;
        pxx[o + c] = sxx * inv;
        pyy[o + c] = syy * inv;
        pxy[o + c] = sxy * inv;
        if (c + 1 >= outW) break;
        const p0 = a[src + c]!;
        const q0 = b[src + c]!;
        const p1 = a[src + c + size]!;
        const q1 = b[src + c + size]!;
        sx += p1 - p0;
        sy += q1 - q0;
        sxx += p1 * p1 - p0 * p0;
        syy += q1 * q1 - q0 * q0;
        sxy += p1 * q1 - p0 * q0;
      }
      return;
    }
    const radius = (size - 1) / 2;
    const centre = weights[radius]!;
    for (let c = 0; c < outW; c++) {
      const base = src + c;
      const pm = a[base + radius]!;
      const qm = b[base + radius]!;
      let sx = centre * pm;
      let sy = centre * qm;
      let sxx = centre * pm * pm;
      let syy = centre * qm * qm;
      let sxy = centre * pm * qm;
      for (let k = 0; k < radius; k++) {
        const w = weights[k]!;
        const p1 = a[base + k]!;
        const q1 = b[base + k]!;
        const p2 = a[base + size - 1 - k]!;
        const q2 = b[base + size - 1 - k]!;
        sx += w * (p1 + p2);
        sy += w * (q1 + q2);
        sxx += w * (p1 * p1 + p2 * p2);
        syy += w * (q1 * q1 + q2 * q2);
        sxy += w * (p1 * q1 + p2 * q2);
      }
      px[o + c] = sx;
      py[o + c] = sy;
      pxx[o + c] = sxx;
      pyy[o + c] = syy;
      pxy[o + c] = sxy;
    }
  }
}

/**
 * SSIM of maps `a` and `b` (row-major, `width` x `height`) with its flags: constant inputs are scored
 * exactly as scikit-image scores them (the constants keep every ratio finite) and reported in
 * `constantA` / `constantB`; NaN inputs give NaN and `hasNaN`.
 */
export function ssimDetails(a: Numbers, b: Numbers, options: SsimOptions): SsimDetails {
  const what = 'ssim';
  if (a.length !== b.length) throw metricsErrors.lengthMismatch(what, a.length, b.length);
  const { width, height } = options;
  checkMapSize(what, a.length, width, height);
  const settings = resolve(options);
  const size = settings.winSize;
  if (size > width || size > height) {
    throw metricsErrors.badOption(what, 'winSize', size, `at most the map's smaller side (${Math.min(width, height)}), as scikit-image requires`);
  }
  const weights = windowWeights(settings);
  const box = settings.window === 'box';
  // Float64 copies keep the hot loops monomorphic and match scikit-image's float64 arithmetic.
  const x = Float64Array.from(a);
  const y = Float64Array.from(b);
  const outW = width - size + 1;
  const outH = height - size + 1;
  const np = size * size;
  const covNorm = settings.sampleCovariance ? np / (np - 1) : 1;
  const c1 = (settings.k1 * settings.dataRange) ** 2;
  const c2 = (settings.k2 * settings.dataRange) ** 2;
  const term = (mx: number, my: number, mxx: number, myy: number, mxy: number): number => {
    const vx = covNorm * (mxx - mx * mx);
    const vy = covNorm * (myy - my * my);
    const vxy = covNorm * (mxy - mx * my);
    return ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
  };
  const ring = new RowRing(size, outW);
  const { x: rx, y: ry, xx: rxx, yy: ryy, xy: rxy } = ring;
  let total = 0;
  if (box) {
    // Running column sums: add each new row, drop the row leaving the window, emit once it is full.
    const inv = 1 / size;
    const sx = new Float64Array(outW);
    const sy = new Float64Array(outW);
    const sxx = new Float64Array(outW);
    const syy = new Float64Array(outW);
    const sxy = new Float64Array(outW);
    for (let row = 0; row < height; row++) {
      const o = ring.offset(row);
      if (row >= size) {
        // The slot about to be overwritten holds row - size, which leaves the window now.
        for (let c = 0; c < outW; c++) {
          sx[c]! -= rx[o + c]!;
          sy[c]! -= ry[o + c]!;
          sxx[c]! -= rxx[o + c]!;
          syy[c]! -= ryy[o + c]!;
          sxy[c]! -= rxy[o + c]!;
        }
      }
      ring.fill(x, y, width, row, weights, true);
      for (let c = 0; c < outW; c++) {
        sx[c]! += rx[o + c]!;
        sy[c]! += ry[o + c]!;
        sxx[c]! += rxx[o + c]!;
        syy[c]! += ryy[o + c]!;
        sxy[c]! += rxy[o + c]!;
      }
      if (row < size - 1) continue;
      for (let c = 0; c < outW; c++) total += term(sx[c]! * inv, sy[c]! * inv, sxx[c]! * inv, syy[c]! * inv, sxy[c]! * inv);
    }
  } else {
    // Gaussian: each output's five column sums are formed in registers, folding the symmetric taps.
    const radius = (size - 1) / 2;
    const centre = weights[radius]!;
    const top = new Int32Array(radius);
    const bottom = new Int32Array(radius);
    for (let row = 0; row < height; row++) {
      ring.fill(x, y, width, row, weights, false);
      if (row < size - 1) continue;
      const first = row - size + 1;
      for (let k = 0; k < radius; k++) {
        top[k] = ring.offset(first + k);
        bottom[k] = ring.offset(row - k);
      }
      const mid = ring.offset(first + radius);
      for (let c = 0; c < outW; c++) {
        let mx = centre * rx[mid + c]!;
        let my = centre * ry[mid + c]!;
        let mxx = centre * rxx[mid + c]!;
        let myy = centre * ryy[mid + c]!;
        let mxy = centre * rxy[mid + c]!;
        for (let k = 0; k < radius; k++) {
          const w = weights[k]!;
          const t = top[k]! + c;
          const u = bottom[k]! + c;
          mx += w * (rx[t]! + rx[u]!);
          my += w * (ry[t]! + ry[u]!);
          mxx += w * (rxx[t]! + rxx[u]!);
          myy += w * (ryy[t]! + ryy[u]!);
          mxy += w * (rxy[t]! + rxy[u]!);
        }
        total += term(mx, my, mxx, myy, mxy);
      }
    }
  }
  return {
    value: total / (outW * outH),
    constantA: isConstant(x),
    constantB: isConstant(y),
    hasNaN: hasNaNValue(x) || hasNaNValue(y),
    settings,
    croppedWidth: outW,
    croppedHeight: outH,
  };
}

/**
 * Mean structural similarity of maps `a` and `b` (row-major `width` x `height`), as scikit-image's
 * `structural_similarity`; `dataRange` is required and `window` chooses `'box'` (default size 7, sample
 * covariance by default) or `'gaussian'` (sigma 1.5, truncate 3.5). Use `ssimSettings.arun2021` for the
 * paper and `ssimDetails` for the constant-map and NaN flags.
 */
export function ssim(a: Numbers, b: Numbers, options: SsimOptions): number {
  return ssimDetails(a, b, options).value;
}
