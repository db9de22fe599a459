/**
 * Percentiles with numpy's default `method='linear'`: the virtual index (q / 100) * (n - 1) between two
 * order statistics, interpolated as numpy's `_lerp` does. The two order statistics come from a bounded
 * heap for high percentiles, else from an O(n) selection on a copy; never from a full sort.
 */
import { mapErrors } from './map-messages.js';

/** Rearranges `a` so that `a[k]` is the k-th smallest value, smaller ones before and larger after (quickselect). */
function select(a: Float64Array, k: number): void {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as pivot keeps sorted and constant inputs linear.
    const mid = (left + right) >>> 1;
    const x = a[left]!;
    const y = a[mid]!;
    const z = a[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/** numpy's `_lerp(a, b, t)`: interpolates from the nearer end for accuracy. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * The `q`-th percentile (0..100) of `values` with numpy's default linear interpolation between order
 * statistics (`np.percentile(values, q)`); NaN or infinite values throw a `UsageError`.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  return percentileAndMin(values, q).percentile;
}

/** Restores the min-heap property of `heap[0..m)` below index `start`. */
function siftDown(heap: Float64Array, m: number, start: number): void {
  let i = start;
  const v = heap[i]!;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= m) break;
    const r = l + 1;
    const child = r < m && heap[r]! < heap[l]! ? r : l;
    if (heap[child]! >= v) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = v;
}

/** `percentile(values, q)` and the minimum of `values`, reading the data once for high percentiles. */
export function percentileAndMin(values: ArrayLike<number>, q: number): { readonly percentile: number; readonly min: number } {
  const what = 'percentile';
  if (!(q >= 0 && q <= 100)) throw mapErrors.badOption(what, 'q', q, 'a number in [0, 100]');
  const n = values.length;
  if (n === 0) throw mapErrors.empty(what);
  const position = (q / 100) * (n - 1);
  const low = Math.floor(position);
  const t = position - low;
  const top = n - low;
  let min = Infinity;
  // `bad` stays 0 while every value is finite (v - v is NaN for NaN and infinities).
  let bad = 0;
  let a: number;
  let b: number;
  if (top <= n >> 4) {
    // High percentiles (the paper's 99th): keep the `top` largest values in a min-heap whose root is the
    // order statistic wanted; once it fills, most values lose one comparison with the root.
    const heap = new Float64Array(top);
    for (let i = 0; i < top; i++) {
      const v = values[i]!;
      bad += v - v;
      if (v < min) min = v;
      heap[i] = v;
    }
    for (let i = (top >> 1) - 1; i >= 0; i--) siftDown(heap, top, i);
    for (let i = top; i < n; i++) {
      const v = values[i]!;
      bad += v - v;
      if (v < min) min = v;
      if (v > heap[0]!) {
        heap[0] = v;
        siftDown(heap, top, 0);
      }
    }
    a = heap[0]!;
    b = top < 2 ? a : top < 3 ? heap[1]! : Math.min(heap[1]!, heap[2]!);
  } else {
    const copy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      bad += v - v;
      if (v < min) min = v;
      copy[i] = v;
    }
    select(copy, low);
    a = copy[low]!;
    // After selection everything right of `low` is >= a; the next order statistic is their minimum.
    b = low + 1 < n ? Infinity : a;
    for (let i = low + 1; i < n; i++) if (copy[i]! < b) b = copy[i]!;
  }
  if (bad !== 0) {
    for (let i = 0; i < n; i++) if (!Number.isFinite(values[i]!)) throw mapErrors.notFinite(what, i, values[i]!);
  }
  return { percentile: lerp(a, b, t), min };
}
