/**
 * Train/validation/test splits: the paper's split files (`pneumothorax_splits.csv`,
 * `pneumonia_splits.csv`: columns `index, Image_ID, Split`) when given, else a seeded split.
 */
import { createRng } from '../core/rng.js';
import { UsageError, type DataError } from '../core/errors.js';
import { readCsv, type CsvRow } from './csv.js';
import { dataErrors, problemFrom, type DataProblem } from './problems.js';

/** The three splits of the paper. */
export type Split = 'train' | 'val' | 'test';

/** Every split, in the paper's file order. */
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

const SPLIT_NAMES: Readonly<Record<string, Split>> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
  testing: 'test',
};

/** The id of an image named in a split file: the file name without a `.png`/`.dcm`/`.jpg` extension. */
export function splitImageId(name: string): string {
  return name.trim().replace(/\.(png|dcm|dicom|jpe?g)$/i, '');
}

/** Reads a split file into id -> split; bad rows throw, or become problems with `skipBad`. */
export async function readSplitFile(
  file: string,
  options: { skipBad?: boolean } = {},
): Promise<{ splits: Map<string, Split>; lines: Map<string, number>; problems: DataProblem[] }> {
  const table = await readCsv(file, {
    columns: [{ name: 'Image_ID', aliases: ['ImageId', 'image_id', 'patientId', 'id'] }, { name: 'Split', aliases: ['split'] }],
    ...(options.skipBad !== undefined ? { skipBad: options.skipBad } : {}),
  });
  const problems = [...table.problems];
  const splits = new Map<string, Split>();
  const firstLine = new Map<string, number>();
  const fail = (error: DataError, id?: string): void => {
    if (!options.skipBad) throw error;
    problems.push(problemFrom(error, id));
  };
  for (const row of table.rows as CsvRow[]) {
    const id = splitImageId(row.values.Image_ID!);
    const raw = row.values.Split!.trim();
    const split = SPLIT_NAMES[raw.toLowerCase()];
    if (id === '') {
      fail(dataErrors.badValue(file, row.line, 'Image_ID', row.values.Image_ID!, 'an image id'));
      continue;
    }
    if (!split) {
      fail(dataErrors.badValue(file, row.line, 'Split', raw, 'one of train, val, test'), id);
      continue;
    }
    const before = firstLine.get(id);
    if (before !== undefined) {
      fail(dataErrors.duplicateId(file, row.line, 'Image_ID', id, before), id);
      continue;
    }
    firstLine.set(id, row.line);
    splits.set(id, split);
  }
  return { splits, lines: firstLine, problems };
}

/** Fractions of a seeded split; the rest is train. Defaults follow the paper (10% test, then 10% of the rest as val). */
export interface SeededSplitOptions {
  readonly seed: number;
  /** Fraction of all items in test; default 0.1. */
  readonly test?: number;
  /** Fraction of the non-test items in val; default 0.1. */
  readonly val?: number;
}

/**
 * Assigns ids to splits reproducibly: shuffles with `createRng(seed)` and takes `ceil(test * n)` items
 * for test, then `ceil(val * rest)` for val, as the paper's two `train_test_split(test_size=0.1)` calls
 * size them (the permutation is heatcheck's, not numpy's: use the paper's split file for its exact split).
 */
export function seededSplit(ids: readonly string[], options: SeededSplitOptions): Map<string, Split> {
  const test = options.test ?? 0.1;
  const val = options.val ?? 0.1;
  if (!(test >= 0 && test < 1 && val >= 0 && val < 1)) {
    throw new UsageError('split-fraction', `split fractions must be in [0, 1), got test ${test}, val ${val}`);
  }
  const order = createRng(options.seed).fork('split').shuffle([...ids]);
  const nTest = Math.ceil(test * order.length);
  const nVal = Math.ceil(val * (order.length - nTest));
  const out = new Map<string, Split>();
  order.forEach((id, i) => out.set(id, i < nTest ? 'test' : i < nTest + nVal ? 'val' : 'train'));
  return out;
}
