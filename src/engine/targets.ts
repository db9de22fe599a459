/**
 * Target validation and the one-hot seed fed to every backward graph.
 */
import type { Targets } from '../core/batch.js';
import { engineErrors } from './messages.js';

/** Checks one integer class index in [0, classes) per row; returns them as an Int32Array. */
export function validateTargets(targets: Targets, rows: number, classes: number): Int32Array {
  if (targets.length !== rows) throw engineErrors.targetsLength(rows, targets.length);
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const t = targets[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw engineErrors.targetValue(i, t, classes);
    out[i] = t;
  }
  return out;
}

/** One-hot rows [rows, classes] for targets[start, start + rows); padded rows stay all zero. */
export function oneHot(targets: Int32Array, start: number, end: number, rows: number, classes: number): Float32Array {
  const seed = new Float32Array(rows * classes);
  for (let i = start; i < end; i++) seed[(i - start) * classes + targets[i]!] = 1;
  return seed;
}
