/**
 * Static shape arithmetic for the builder's ops (ONNX formulas), so that composite helpers know channel
 * counts and the built model carries value_info. Symbolic dims (the batch) pass through; a dim that
 * cannot be known statically becomes null.
 */
import type { Dim } from '../ir.js';

/** Output spatial size of a convolution or pooling window along one axis (ONNX Conv/MaxPool formula). */
export function windowOutput(
  size: Dim,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  ceilMode = false,
): Dim {
  if (typeof size !== 'number') return null;
  const span = (kernel - 1) * dilation + 1;
  const q = (size + padBegin + padEnd - span) / stride;
  let out = (ceilMode ? Math.ceil(q) : Math.floor(q)) + 1;
  // ceil_mode must not start a window entirely inside the end padding (ONNX/PyTorch rule).
  if (ceilMode && (out - 1) * stride >= size + padBegin) out -= 1;
  return out;
}

/** Explicit SAME_UPPER pads for one axis of known size, as ONNX defines them. */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** Numpy-style broadcast of two shapes; null where dims are unknown and cannot be resolved. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (da === db) out.push(da);
    else if (typeof da === 'number' && typeof db === 'number') {
      throw new RangeError(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    } else out.push(typeof da === 'number' ? da : typeof db === 'number' ? db : null);
  }
  return out;
}

/** Normalises a possibly negative axis against a rank. */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new RangeError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Product of dims when all are numbers, else null. */
export function staticProduct(dims: readonly Dim[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

/** Result shape of ONNX Reshape (0 copies, -1 infers) when it can be resolved. */
export function reshapeShape(input: readonly Dim[] | undefined, target: readonly number[]): Dim[] {
  const out: Dim[] = target.map((d, i) => (d === 0 ? (input?.[i] ?? null) : d));
  const minus = target.indexOf(-1);
  if (minus >= 0) {
    // Dims copied by 0 cancel out, so a symbolic batch copied with 0 still leaves -1 static.
    const copied = (i: number) => target[i] === 0 && i < (input?.length ?? 0);
    const total = input ? staticProduct(input.filter((_, i) => !copied(i))) : null;
    const known = staticProduct(target.filter((_, i) => i !== minus && !copied(i)));
    out[minus] = total !== null && known !== null && known > 0 ? total / known : null;
  }
  return out;
}
