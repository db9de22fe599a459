/** Test helpers for the views that share input-gradient passes: row counting and batches of 3x16x16 rows. */
import { type Batch, makeBatch, type TargetRequest } from '../../../src/core/batch.js';
import type { ExplainableModel } from '../../../src/core/types.js';

/** Values per 3x16x16 row (the analytic model's input). */
export const rowSize = 3 * 16 * 16;

/** `model` with the rows each input-gradient call sends recorded in `rows`. */
export function counting(model: ExplainableModel): { model: ExplainableModel; rows: number[] } {
  const rows: number[] = [];
  return {
    rows,
    model: {
      ...model,
      get info() {
        return model.info;
      },
      inputGradients(batch: Batch, targets: TargetRequest) {
        rows.push(batch.shape[0]);
        return model.inputGradients(batch, targets);
      },
    },
  };
}

/** A batch of 3x16x16 rows. */
export function batchOf(rows: Float32Array[]): Batch {
  const data = new Float32Array(rows.length * rowSize);
  rows.forEach((r, i) => data.set(r, i * rowSize));
  return makeBatch(data, [rows.length, 3, 16, 16]);
}
