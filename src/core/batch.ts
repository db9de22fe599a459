/**
 * `Batch`: the one tensor type that crosses layers. NCHW float32, row-major, shape explicit.
 * Logits are `[n, classes]`. Helpers here are tiny and allocation-aware; heavy math lives in imaging/.
 */
import { UsageError } from './errors.js';

/** A batch of images or feature maps: NCHW float32, C-order (last axis fastest). */
export interface Batch {
  readonly data: Float32Array;
  readonly shape: readonly [n: number, c: number, h: number, w: number];
}

/** Model outputs before softmax: `[n, classes]`, C-order. */
export interface Logits {
  readonly data: Float32Array;
  readonly shape: readonly [n: number, classes: number];
}

/** One class index per batch row. */
export type Targets = readonly number[] | Int32Array;

/**
 * The classes a gradient pass explains: one per row, or `'predicted'` for each row's own arg-max class,
 * taken from the same pass's logits (no separate forward pass). The result's `targets` says which.
 */
export type TargetRequest = Targets | 'predicted';

/** Makes a batch, checking that the data length matches the shape. */
export function makeBatch(data: Float32Array, shape: readonly [number, number, number, number]): Batch {
  const size = shape[0] * shape[1] * shape[2] * shape[3];
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || data.length !== size) {
    throw new UsageError('batch-shape', `batch data has ${data.length} values but shape [${shape.join(', ')}] needs ${size}`);
  }
  return { data, shape: [shape[0], shape[1], shape[2], shape[3]] };
}

/** Number of values in one item (c*h*w). */
export function itemSize(batch: Batch): number {
  return batch.shape[1] * batch.shape[2] * batch.shape[3];
}

/** Rows [start, end) of a batch, sharing memory with it (a view, no copy). */
export function sliceBatch(batch: Batch, start: number, end: number): Batch {
  const per = itemSize(batch);
  const n = batch.shape[0];
  if (start < 0 || end > n || start > end) throw new UsageError('batch-slice', `rows [${start}, ${end}) out of range for a batch of ${n}`);
  return {
    data: batch.data.subarray(start * per, end * per),
    shape: [end - start, batch.shape[1], batch.shape[2], batch.shape[3]],
  };
}

/** Concatenates batches along N (they must agree on C, H, W). */
export function concatBatches(batches: readonly Batch[]): Batch {
  const first = batches[0];
  if (!first) throw new UsageError('batch-concat', 'cannot concatenate zero batches');
  const [, c, h, w] = first.shape;
  let n = 0;
  for (const b of batches) {
    if (b.shape[1] !== c || b.shape[2] !== h || b.shape[3] !== w) {
      throw new UsageError('batch-concat', `cannot concatenate [${b.shape.join(', ')}] with [${first.shape.join(', ')}]`);
    }
    n += b.shape[0];
  }
  const data = new Float32Array(n * c * h * w);
  let offset = 0;
  for (const b of batches) {
    data.set(b.data, offset);
    offset += b.data.length;
  }
  return { data, shape: [n, c, h, w] };
}

/** Concatenates logits along rows. */
export function concatLogits(parts: readonly Logits[]): Logits {
  const first = parts[0];
  if (!first) throw new UsageError('logits-concat', 'cannot concatenate zero logits');
  const k = first.shape[1];
  let n = 0;
  for (const p of parts) n += p.shape[0];
  const data = new Float32Array(n * k);
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return { data, shape: [n, k] };
}

/** Argmax class per row of logits. */
export function argmaxRows(logits: Logits): Int32Array {
  const [n, k] = logits.shape;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = logits.data[i * k + j]!;
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}
