/**
 * Sub-batching under a memory budget. The engine estimates the activation bytes one image costs in a
 * graph variant and runs as many images per onnxruntime call as fit the budget.
 *
 * The estimate (documented in docs/engine.md, checked against measured RSS in the engine benchmark):
 * - forward: 4 bytes x 4 x the largest activation. onnxruntime's memory planner reuses buffers, so a
 *   forward pass holds only a few activations at once (a concat and its branches, a conv's input and
 *   output); four of the largest bounds that for the CNNs we target.
 * - any backward variant: 4 bytes x (sum of all forward activations + 4 x the largest). The backward graph
 *   keeps most forward activations alive until their gradient node runs, plus the gradients in flight.
 * When no tensor sizes are known (the shape probe failed), a conservative rule in units of the input:
 * forward 32 x input elements, backward 256 x input elements (DenseNet121 needs about 90).
 */

/** Per-image element counts of the float tensors of one forward graph. */
export interface ActivationSizes {
  /** Elements of one image at the input. */
  readonly input: number;
  /** Sum over every float tensor produced by a forward node, per image. */
  readonly total: number;
  /** The largest single float tensor, per image. */
  readonly largest: number;
}

/** Which kind of graph is run: forward only, or forward plus a backward pass. */
export type PassKind = 'forward' | 'backward';

const bytesPerFloat = 4;

/** Estimated activation bytes per image for a pass (see the module comment for the rule). */
export function bytesPerImage(sizes: ActivationSizes | undefined, kind: PassKind, inputElements: number): number {
  if (!sizes || sizes.total <= 0) return bytesPerFloat * inputElements * (kind === 'forward' ? 32 : 256);
  if (kind === 'forward') return bytesPerFloat * 4 * Math.max(sizes.largest, sizes.input);
  return bytesPerFloat * (sizes.total + 4 * Math.max(sizes.largest, sizes.input));
}

/** Images per onnxruntime call: as many as fit `budgetMiB`, at least 1 and at most `maxBatch`. */
export function subBatchSize(bytesPerItem: number, budgetMiB: number, maxBatch: number): number {
  const fit = Math.floor((budgetMiB * 1024 * 1024) / Math.max(1, bytesPerItem));
  return Math.max(1, Math.min(maxBatch, fit));
}

/** Splits `n` rows into [start, end) ranges of at most `size` rows, balanced so the last is not tiny. */
export function splitRows(n: number, size: number): [number, number][] {
  if (n === 0) return [];
  const parts = Math.ceil(n / size);
  const base = Math.ceil(n / parts);
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += base) out.push([start, Math.min(n, start + base)]);
  return out;
}

/**
 * Ranges for lanes: as few sub-batches as fit `fit` rows each, rounded up to a multiple of `lanes`, with
 * sizes differing by at most one row, so every lane gets the same work (taking ranges in turn, each lane
 * ends with as many rows as the others, give or take one per range).
 */
export function laneRanges(n: number, fit: number, lanes: number): [number, number][] {
  if (n === 0) return [];
  const parts = Math.min(n, Math.ceil(Math.ceil(n / Math.max(1, fit)) / lanes) * lanes);
  const small = Math.floor(n / parts);
  const large = n % parts;
  const out: [number, number][] = [];
  let start = 0;
  // Larger ranges first: a lane that takes a small one at the end finishes no later than the others.
  for (let i = 0; i < parts; i++) {
    const size = small + (i < large ? 1 : 0);
    out.push([start, start + size]);
    start += size;
  }
  return out;
}
