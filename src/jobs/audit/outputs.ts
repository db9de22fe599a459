/**
 * The audit's run-folder outputs: `per-image.csv` (image x method x model x state), `maps/` (final maps
 * as 16-bit grey PNG with a small JSON beside each), and the merged verdict table.
 */
import path from 'node:path';
import { criterionIds, perImageColumns, perImageRecord, type PerImageRow, type Verdict, type VerdictTable } from '../../criteria/index.js';
import { encodeGreyPng, formatCsv } from '../../data/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../atomic.js';
import type { ExplainRecord } from './explain.js';
import { openMapReader } from './map-store.js';

/** One verdict table from the verdicts of the four score steps (methods in first-seen order). */
export function mergeVerdicts(verdicts: readonly Verdict[]): VerdictTable {
  const methods: string[] = [];
  for (const v of verdicts) if (!methods.includes(v.method)) methods.push(v.method);
  const criteria = criterionIds.filter((c) => verdicts.some((v) => v.criterion === c));
  const failedAny = methods.filter((m) => verdicts.some((v) => v.method === m && v.pass === false));
  const passedAll = methods.filter((m) => verdicts.filter((v) => v.method === m).every((v) => v.pass === true));
  return { methods, criteria, verdicts, failedAny, passedAll };
}

/** Writes `per-image.csv` atomically. */
export async function writePerImageCsv(file: string, rows: readonly PerImageRow[]): Promise<void> {
  const body = rows.map((r) => {
    const record = perImageRecord(r);
    return perImageColumns.map((c) => record[c]);
  });
  await writeFileAtomic(file, formatCsv(perImageColumns, body));
}

/** One map file to export under `maps/<model>/<method>/`. */
export interface MapExport {
  readonly model: string;
  readonly state: string;
  readonly method: string;
  readonly file: string;
  readonly record?: ExplainRecord['methods'][string];
  readonly step: string;
}

/** Writes every map of the given files as 16-bit PNG (value / 65535) plus JSON metadata; returns how many maps. */
export async function writeMapImages(outDir: string, exports: readonly MapExport[], keys: readonly string[], size: number): Promise<number> {
  let written = 0;
  for (const e of exports) {
    const folder = path.join(outDir, 'maps', e.model, e.method);
    const reader = openMapReader(e.file, size, size);
    try {
      for (const [i, key] of keys.entries()) {
        const map = reader.get(i);
        const degenerate = map.data.some((v) => Number.isNaN(v));
        // A degenerate (NaN) map is stored as zeros; the JSON says so.
        const pixels = degenerate ? new Float32Array(map.data.length) : map.data;
        await writeFileAtomic(path.join(folder, `${key}.png`), encodeGreyPng(pixels, size, size, 16));
        await writeJsonAtomic(path.join(folder, `${key}.json`), {
          image: key,
          model: e.model,
          state: e.state,
          method: e.method,
          width: size,
          height: size,
          encoding: '16-bit grey PNG; map value = pixel / 65535',
          degenerate,
          target: e.record?.targets[i] ?? null,
          step: e.step,
        });
        written++;
      }
    } finally {
      reader.close();
    }
  }
  return written;
}
