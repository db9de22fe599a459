/**
 * The two resizes XRAI's segmentation depends on, reproducing `skimage.transform.resize` (0.19 on scipy
 * >= 1.6) closely enough that Felzenszwalb sees the same float32 pixels:
 * - cubic (order 3, mode 'constant', anti-aliased, preserve_range) for the image going to 224x224:
 *   Gaussian pre-filter with sigma (factor - 1) / 2 when shrinking, zero padding of 12 samples, a cubic
 *   B-spline prefilter, and pixel-centre sampling (i + 0.5) * in / out - 0.5;
 * - nearest (order 0) for the label maps coming back to the input size.
 * Kept here rather than in imaging/ because the float32 rounding points follow scikit-image's dtype rules,
 * which only XRAI needs.
 */
import { gaussianKernel } from '../../imaging/felzenszwalb.js';

/** Zero samples scipy adds on each side before the spline prefilter in 'grid-constant' mode. */
const SPLINE_PAD = 12;
const POLE = Math.sqrt(3) - 2;

/** Rescales a float32 plane set to [lo, hi] with numpy float32 arithmetic; a constant image becomes all `lo`. */
export function rescaleFloat32(data: Float32Array, lo: number, hi: number): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Float32Array(data.length);
  const range = Math.fround(max - min);
  const span = Math.fround(hi - lo);
  if (!(range > 0)) return out.fill(lo);
  for (let i = 0; i < data.length; i++) {
    const unit = Math.fround(Math.fround(data[i]! - min) / range);
    out[i] = Math.fround(unit * span) + lo;
  }
  return out;
}

/**
 * Resizes one float32 plane like `skimage.transform.resize(order=3, mode='constant', anti_aliasing=True,
 * preserve_range=True)`; the result is float32 and clipped to the input's range.
 */
export function resizeCubic(plane: Float32Array, inH: number, inW: number, outH: number, outW: number): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of plane) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const fr = inH / outH;
  const fc = inW / outW;
  let src: Float32Array = plane;
  // Anti-aliasing: scipy gaussian_filter, 'grid-constant' borders (zeros), float32 between the two axes.
  const sr = Math.max(0, (fr - 1) / 2);
  const sc = Math.max(0, (fc - 1) / 2);
  if (sr > 1e-15) src = gaussianZeroBorder(src, inH, inW, sr, true);
  if (sc > 1e-15) src = gaussianZeroBorder(src, inH, inW, sc, false);

  const ph = inH + 2 * SPLINE_PAD;
  const pw = inW + 2 * SPLINE_PAD;
  const coef = new Float64Array(ph * pw);
  for (let y = 0; y < inH; y++) {
    for (let x = 0; x < inW; x++) coef[(y + SPLINE_PAD) * pw + x + SPLINE_PAD] = src[y * inW + x]!;
  }
  const column = new Float64Array(ph);
  for (let x = 0; x < pw; x++) {
    for (let y = 0; y < ph; y++) column[y] = coef[y * pw + x]!;
    splineFilterLine(column);
    for (let y = 0; y < ph; y++) coef[y * pw + x] = column[y]!;
  }
  for (let y = 0; y < ph; y++) splineFilterLine(coef.subarray(y * pw, (y + 1) * pw));

  const rows = samplingTable(inH, outH);
  const cols = samplingTable(inW, outW);
  const out = new Float32Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    const r0 = rows.start[i]!;
    for (let j = 0; j < outW; j++) {
      const c0 = cols.start[j]!;
      let acc = 0;
      for (let m = 0; m < 4; m++) {
        const base = (r0 + m) * pw + c0;
        let line = 0;
        for (let n = 0; n < 4; n++) line += cols.weights[j * 4 + n]! * coef[base + n]!;
        acc += rows.weights[i * 4 + m]! * line;
      }
      const v = Math.fround(acc);
      out[i * outW + j] = v < min ? min : v > max ? max : v;
    }
  }
  return out;
}

/** Nearest-neighbour resize of a label map, as `resize(order=0, anti_aliasing=False)` (pixel centres). */
export function resizeNearestLabels(labels: Int32Array, inH: number, inW: number, outH: number, outW: number): Int32Array {
  const rowOf = nearestTable(inH, outH);
  const colOf = nearestTable(inW, outW);
  const out = new Int32Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    const base = rowOf[i]! * inW;
    for (let j = 0; j < outW; j++) out[i * outW + j] = labels[base + colOf[j]!]!;
  }
  return out;
}

function nearestTable(inSize: number, outSize: number): Int32Array {
  const zoom = inSize / outSize;
  const table = new Int32Array(outSize);
  for (let k = 0; k < outSize; k++) {
    const cc = (k + 0.5) * zoom - 0.5;
    table[k] = Math.min(inSize - 1, Math.max(0, Math.floor(cc + 0.5)));
  }
  return table;
}

/** First padded index and the four cubic B-spline weights for every output coordinate along one axis. */
function samplingTable(inSize: number, outSize: number): { start: Int32Array; weights: Float64Array } {
  const zoom = inSize / outSize;
  const start = new Int32Array(outSize);
  const weights = new Float64Array(outSize * 4);
  for (let k = 0; k < outSize; k++) {
    const cc = (k + 0.5) * zoom - 0.5;
    const fl = Math.floor(cc);
    start[k] = fl - 1 + SPLINE_PAD;
    const y = cc - fl;
    const z = 1 - y;
    const w0 = (z * z * z) / 6;
    const w1 = (y * y * (y - 2) * 3 + 4) / 6;
    const w2 = (z * z * (z - 2) * 3 + 4) / 6;
    weights[k * 4] = w0;
    weights[k * 4 + 1] = w1;
    weights[k * 4 + 2] = w2;
    // scipy sets the last weight so that all four add to one.
    weights[k * 4 + 3] = 1 - w0 - w1 - w2;
  }
  return { start, weights };
}

/** scipy's cubic B-spline prefilter of one line with mirror-symmetric initial conditions. */
function splineFilterLine(c: Float64Array): void {
  const n = c.length;
  if (n === 1) return;
  const z = POLE;
  const gain = (1 - z) * (1 - 1 / z);
  for (let i = 0; i < n; i++) c[i] = c[i]! * gain;
  // Causal initialisation (mirror).
  const zn1 = Math.pow(z, n - 1);
  let c0 = c[0]! + zn1 * c[n - 1]!;
  let zi = z;
  for (let i = 1; i < n - 1; i++) {
    c0 += zi * (c[i]! + zn1 * c[n - 1 - i]!);
    zi *= z;
  }
  c[0] = c0 / (1 - zn1 * zn1);
  for (let i = 1; i < n; i++) c[i] = c[i]! + z * c[i - 1]!;
  // Anti-causal initialisation (mirror).
  c[n - 1] = (z / (z * z - 1)) * (c[n - 1]! + z * c[n - 2]!);
  for (let i = n - 2; i >= 0; i--) c[i] = z * (c[i + 1]! - c[i]!);
}

/** 1-D Gaussian along rows (axis 0) or columns (axis 1) with zero borders, stored as float32. */
function gaussianZeroBorder(plane: Float32Array, h: number, w: number, sigma: number, alongRows: boolean): Float32Array {
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) >> 1;
  const out = new Float32Array(plane.length);
  const len = alongRows ? h : w;
  const lines = alongRows ? w : h;
  const line = new Float64Array(len + 2 * radius);
  for (let l = 0; l < lines; l++) {
    line.fill(0);
    for (let i = 0; i < len; i++) line[radius + i] = plane[alongRows ? i * w + l : l * w + i]!;
    for (let i = 0; i < len; i++) {
      const centre = radius + i;
      let acc = line[centre]! * kernel[radius]!;
      for (let j = radius; j >= 1; j--) acc += (line[centre - j]! + line[centre + j]!) * kernel[radius - j]!;
      out[alongRows ? i * w + l : l * w + i] = acc;
    }
  }
  return out;
}
