/**
 * Felzenszwalb & Huttenlocher's graph-based segmentation (IJCV 2004), written to give the same
 * partition as scikit-image's `segmentation.felzenszwalb` (0.19): per-channel Gaussian smoothing with
 * scipy semantics (truncate 4, 'reflect' borders), an 8-connected grid graph weighted by the Euclidean
 * colour distance, edges visited in increasing weight (numpy's argsort, ties in the same order),
 * union-find merging against `scale / size`, then a `minSize` pass over the same sorted edges. XRAI segments every image with it at six scales, so the
 * smoothing, edge weights and sort are computed once (`felzenszwalbGraph`) and reused per scale.
 */
import { UsageError } from '../core/errors.js';

/** A row-major, channel-last (HWC) float image. */
export interface ChannelImage {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Options of {@link felzenszwalb}; defaults are scikit-image's (`scale` 1, `sigma` 0.8, `minSize` 20). */
export interface FelzenszwalbOptions {
  readonly scale?: number;
  readonly sigma?: number;
  readonly minSize?: number;
}

/** A label image: `labels[y * width + x]` in [0, count), numbered by first appearance in raster order. */
export interface Segmentation {
  readonly labels: Int32Array;
  readonly count: number;
  readonly width: number;
  readonly height: number;
}

/** The smoothed image's grid graph with its edges sorted by weight, reusable across scales. */
export interface FelzenszwalbGraph {
  readonly width: number;
  readonly height: number;
  /** Endpoints of edge k (in sorted order) are `a[k]` and `b[k]`. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly weights: Float64Array;
}

const TRUNCATE = 4.0;

/** Segments an HWC image; same partition and label numbering as scikit-image's `felzenszwalb`. */
export function felzenszwalb(image: ChannelImage, options: FelzenszwalbOptions = {}): Segmentation {
  const graph = felzenszwalbGraph(image, options.sigma ?? 0.8);
  return segmentGraph(graph, options.scale ?? 1, options.minSize ?? 20);
}

/** Smooths the image and builds its sorted 8-connected edge list (the scale-independent part). */
export function felzenszwalbGraph(image: ChannelImage, sigma = 0.8): FelzenszwalbGraph {
  const { width, height, channels } = image;
  if (!(width > 0 && height > 0 && channels > 0) || image.data.length !== width * height * channels) {
    throw new UsageError('felzenszwalb-shape', `image data has ${image.data.length} values but ${height}x${width}x${channels} needs ${width * height * channels}`);
  }
  if (!(sigma >= 0)) throw new UsageError('felzenszwalb-sigma', `sigma must be >= 0, got ${sigma}`);
  const planes: Float64Array[] = [];
  for (let c = 0; c < channels; c++) {
    const plane = new Float64Array(width * height);
    for (let i = 0; i < plane.length; i++) plane[i] = image.data[i * channels + c]!;
    planes.push(gaussianReflect(plane, width, height, sigma));
  }

  // Edge order before sorting matters for ties: right, down, down-right, up-right, each in raster order
  // of its first pixel, as scikit-image stacks them.
  const count = height * (width - 1) + (height - 1) * width + 2 * (height - 1) * (width - 1);
  const ea = new Int32Array(count);
  const eb = new Int32Array(count);
  const w = new Float64Array(count);
  let k = 0;
  const push = (p: number, q: number): void => {
    let sum = 0;
    for (const plane of planes) {
      const d = plane[p]! - plane[q]!;
      sum += d * d;
    }
    ea[k] = p;
    eb[k] = q;
    w[k] = Math.sqrt(sum);
    k++;
  };
  for (let y = 0; y < height; y++) for (let x = 1; x < width; x++) push(y * width + x, y * width + x - 1);
  for (let y = 1; y < height; y++) for (let x = 0; x < width; x++) push(y * width + x, (y - 1) * width + x);
  for (let y = 1; y < height; y++) for (let x = 1; x < width; x++) push(y * width + x, (y - 1) * width + x - 1);
  for (let y = 0; y < height - 1; y++) for (let x = 1; x < width; x++) push(y * width + x, (y + 1) * width + x - 1);

  const order = numpyArgsort(w);
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const weights = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const e = order[i]!;
    a[i] = ea[e]!;
    b[i] = eb[e]!;
    weights[i] = w[e]!;
  }
  return { width, height, a, b, weights };
}

/** Runs the merge and min-size passes on a prepared graph at one `scale`. */
export function segmentGraph(graph: FelzenszwalbGraph, scale: number, minSize: number): Segmentation {
  const { width, height, a, b, weights } = graph;
  const n = width * height;
  // scikit-image rescales `scale` to match the reference implementation's 0-255 images.
  const k = scale / 255;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const size = new Int32Array(n).fill(1);
  const inner = new Float64Array(n);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      const up = parent[parent[x]!]!;
      parent[x] = up;
      x = up;
    }
    return x;
  };
  const join = (r0: number, r1: number): number => {
    // Root = smaller index, as scikit-image; it does not change the partition, only keeps it familiar.
    const root = r0 < r1 ? r0 : r1;
    const other = r0 < r1 ? r1 : r0;
    parent[other] = root;
    size[root] = size[r0]! + size[r1]!;
    return root;
  };

  for (let e = 0; e < weights.length; e++) {
    const r0 = find(a[e]!);
    const r1 = find(b[e]!);
    if (r0 === r1) continue;
    // scikit-image holds these thresholds in C floats: round to float32 to take the same decisions.
    const t0 = Math.fround(inner[r0]! + k / size[r0]!);
    const t1 = Math.fround(inner[r1]! + k / size[r1]!);
    const w = weights[e]!;
    if (w < Math.min(t0, t1)) {
      const root = join(r0, r1);
      inner[root] = w;
    }
  }
  for (let e = 0; e < weights.length; e++) {
    const r0 = find(a[e]!);
    const r1 = find(b[e]!);
    if (r0 === r1) continue;
    if (size[r0]! < minSize || size[r1]! < minSize) join(r0, r1);
  }

  const labels = new Int32Array(n);
  const labelOfRoot = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = find(i);
    if (labelOfRoot[r] === -1) labelOfRoot[r] = count++;
    labels[i] = labelOfRoot[r]!;
  }
  return { labels, count, width, height };
}

/** scipy's `_gaussian_kernel1d` (order 0): radius int(truncate * sigma + 0.5), normalised left to right. */
export function gaussianKernel(sigma: number, truncate = TRUNCATE): Float64Array {
  const radius = Math.floor(truncate * sigma + 0.5);
  const kernel = new Float64Array(2 * radius + 1);
  const factor = -0.5 / (sigma * sigma);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(factor * (i * i));
    kernel[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / sum;
  return kernel;
}

/**
 * `scipy.ndimage.gaussian_filter(mode='reflect')` on one plane: rows first, then columns, each with the
 * symmetric-kernel summation order of scipy's `correlate1d`, so results agree to the last bit.
 */
function gaussianReflect(plane: Float64Array, width: number, height: number, sigma: number): Float64Array {
  if (sigma <= 1e-15) return plane;
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) >> 1;
  const tmp = new Float64Array(plane.length);
  const line = new Float64Array(Math.max(width, height) + 2 * radius);
  // Axis 0 (down the columns).
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) line[radius + y] = plane[y * width + x]!;
    extendReflect(line, height, radius);
    for (let y = 0; y < height; y++) tmp[y * width + x] = correlateSymmetric(line, radius + y, kernel, radius);
  }
  const out = new Float64Array(plane.length);
  // Axis 1 (along the rows).
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) line[radius + x] = tmp[y * width + x]!;
    extendReflect(line, width, radius);
    for (let x = 0; x < width; x++) out[y * width + x] = correlateSymmetric(line, radius + x, kernel, radius);
  }
  return out;
}

/** Fills `radius` samples either side of line[radius, radius + n) by half-sample symmetry (d c b a | a b c d). */
function extendReflect(line: Float64Array, n: number, radius: number): void {
  for (let i = 1; i <= radius; i++) {
    line[radius - i] = line[radius + reflectIndex(-i, n)]!;
    line[radius + n - 1 + i] = line[radius + reflectIndex(n - 1 + i, n)]!;
  }
}

function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

function correlateSymmetric(line: Float64Array, centre: number, kernel: Float64Array, radius: number): number {
  let acc = line[centre]! * kernel[radius]!;
  for (let j = radius; j >= 1; j--) acc += (line[centre - j]! + line[centre + j]!) * kernel[radius - j]!;
  return acc;
}

/**
 * numpy's default `argsort` (introsort, `kind='quicksort'`) on doubles, reproduced step for step so that
 * equal weights come out in the same order as scikit-image's (which affects merges only when two
 * different non-zero edge weights tie exactly): median-of-3 partitioning, insertion sort up to 16
 * elements, heapsort past a depth of 2 * floor(log2 n).
 */
export function numpyArgsort(values: Float64Array): Uint32Array {
  const n = values.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < 2) return idx;
  const v = values;
  const swap = (a: number, b: number): void => {
    const t = idx[a]!;
    idx[a] = idx[b]!;
    idx[b] = t;
  };
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = n - 1;
  let depth = 2 * (31 - Math.clz32(n));
  for (;;) {
    if (depth < 0) {
      heapsortRange(v, idx, pl, pr - pl + 1);
    } else {
      while (pr - pl > 15) {
        const pm = pl + ((pr - pl) >> 1);
        if (v[idx[pm]!]! < v[idx[pl]!]!) swap(pm, pl);
        if (v[idx[pr]!]! < v[idx[pm]!]!) swap(pr, pm);
        if (v[idx[pm]!]! < v[idx[pl]!]!) swap(pm, pl);
        const vp = v[idx[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do pi++;
          while (v[idx[pi]!]! < vp);
          do pj--;
          while (vp < v[idx[pj]!]!);
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        // Push the larger partition, continue with the smaller.
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--depth);
      }
      for (let pi = pl + 1; pi <= pr; pi++) {
        const vi = idx[pi]!;
        const vv = v[vi]!;
        let pj = pi;
        while (pj > pl && vv < v[idx[pj - 1]!]!) {
          idx[pj] = idx[pj - 1]!;
          pj--;
        }
        idx[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    depth = depths.pop()!;
  }
  return idx;
}

/** numpy's `aheapsort` on idx[start, start + n). */
function heapsortRange(v: Float64Array, idx: Uint32Array, start: number, n: number): void {
  // 1-based heap indexing over the range, as numpy does (a = tosort - 1).
  const a = (k: number): number => idx[start + k - 1]!;
  const set = (k: number, value: number): void => {
    idx[start + k - 1] = value;
  };
  for (let l = n >> 1; l > 0; l--) {
    const tmp = a(l);
    let i = l;
    let j = l << 1;
    while (j <= n) {
      if (j < n && v[a(j)]! < v[a(j + 1)]!) j++;
      if (v[tmp]! < v[a(j)]!) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
  for (let m = n; m > 1; ) {
    const tmp = a(m);
    set(m, a(1));
    m--;
    let i = 1;
    let j = 2;
    while (j <= m) {
      if (j < m && v[a(j)]! < v[a(j + 1)]!) j++;
      if (v[tmp]! < v[a(j)]!) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
}
