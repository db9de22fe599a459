/**
 * The dataset layer's message catalogue: every `DataError` the RLE codec, CSV reader, dataset loaders
 * and phantom writer raise is built here, so wording and hints live in one place and tests assert on
 * the stable `code` plus the file and field, never on copied strings. Also the problem record that
 * `skipBad` loading collects instead of throwing.
 */
import { DataError } from '../core/errors.js';

/** Where a problem is: the file and, inside it, the field (`line 12 › " EncodedPixels"`, a tag, a key). */
export interface Where {
  readonly file?: string;
  readonly field?: string;
}

/** One bad item or row that loading skipped (with `skipBad`) or that a check found. */
export interface DataProblem {
  /** The error's stable code, e.g. `rle-past-image`, `missing-file`, `duplicate-id`. */
  readonly kind: string;
  /** The item id when known. */
  readonly id?: string;
  readonly file?: string;
  readonly field?: string;
  /** The full message, hint included. */
  readonly message: string;
}

/** Turns a caught `DataError` into a problem record for an item. */
export function problemFrom(error: DataError, id?: string): DataProblem {
  return {
    kind: error.code,
    ...(id !== undefined ? { id } : {}),
    ...(error.file !== undefined ? { file: error.file } : {}),
    ...(error.field !== undefined ? { field: error.field } : {}),
    message: error.message,
  };
}

/** Names a CSV cell for `Where.field`: 1-based file line and the column name as written. */
export function cell(line: number, column?: string): string {
  return column === undefined ? `line ${line}` : `line ${line} › ${JSON.stringify(column)}`;
}

function show(value: string, max = 60): string {
  const clipped = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(clipped);
}

const RLE_HINT =
  'SIIM RLE is whitespace-separated non-negative integers in (start, length) pairs, starts relative to the end of the previous run, or -1 for an empty mask';

/** Builders for every data-layer error; each names what was found and says what to do. */
export const dataErrors = {
  rleEmpty: (where: Where) =>
    new DataError('rle-empty', 'the run-length string is empty', where, { hint: 'write -1 for an image without a mask' }),
  rleToken: (where: Where, token: string, index: number) =>
    new DataError('rle-token', `run-length token ${index + 1} is ${show(token)}, not a non-negative integer`, where, {
      hint: RLE_HINT,
    }),
  rleOddCount: (where: Where, count: number) =>
    new DataError('rle-odd-count', `the run-length string has ${count} numbers; (start, length) pairs need an even count`, where, {
      hint: RLE_HINT,
    }),
  rlePastImage: (where: Where, run: number, end: number, width: number, height: number) =>
    new DataError(
      'rle-past-image',
      `run ${run + 1} ends at pixel ${end}, past the ${width}x${height} image (${width * height} pixels)`,
      where,
      { hint: 'check that the mask was encoded for this image size, with relative starts (not the absolute 1-based Kaggle form)' },
    ),
  maskSize: (where: Where, found: string, expected: string) =>
    new DataError('mask-size', `mask is ${found} but the image is ${expected}`, where, {
      hint: 'masks must have exactly the image size; re-export the mask at the image resolution',
    }),
  csvUnreadable: (file: string, cause: unknown) =>
    new DataError('file-unreadable', `cannot read the file: ${(cause as Error).message ?? String(cause)}`, { file }, {
      hint: 'check that the path exists and is readable',
      cause,
    }),
  csvEmpty: (file: string) =>
    new DataError('csv-empty', 'the CSV file has no header row', { file }, { hint: 'the first line must name the columns' }),
  csvSyntax: (file: string, line: number | undefined, detail: string, cause?: unknown) =>
    new DataError('csv-syntax', `the CSV cannot be parsed: ${detail}`, line === undefined ? { file } : { file, field: cell(line) }, {
      hint: 'fix the quoting on that line (a field with commas or quotes must be quoted, and quotes doubled)',
      cause,
    }),
  csvMissingColumns: (file: string, missing: readonly string[], found: readonly string[]) =>
    new DataError(
      'csv-missing-columns',
      `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')}; the header has ${found
        .map((f) => JSON.stringify(f))
        .join(', ')}`,
      { file, field: 'header' },
      { hint: 'column names must match exactly (the SIIM file writes " EncodedPixels" with a leading space)' },
    ),
  csvDuplicateColumn: (file: string, column: string) =>
    new DataError('csv-duplicate-column', `the header names column ${JSON.stringify(column)} twice`, { file, field: 'header' }, {
      hint: 'rename or drop one of them',
    }),
  csvColumnCount: (file: string, line: number, found: number, expected: number) =>
    new DataError('csv-column-count', `row has ${found} fields but the header has ${expected}`, { file, field: cell(line) }, {
      hint: 'a field containing a comma must be quoted',
    }),
  badValue: (file: string, line: number, column: string, value: string, expected: string) =>
    new DataError('bad-value', `${show(value)} is not ${expected}`, { file, field: cell(line, column) }, {
      hint: `write ${expected} in column ${JSON.stringify(column)}`,
    }),
  duplicateId: (file: string, line: number, column: string, id: string, firstLine: number) =>
    new DataError('duplicate-id', `id ${show(id)} appears again (first on line ${firstLine})`, { file, field: cell(line, column) }, {
      hint: 'each id may appear once in this file; remove the repeated row',
    }),
  duplicateFile: (file: string, id: string, other: string) =>
    new DataError('duplicate-id', `image id ${show(id)} has two files; the other is ${other}`, { file }, {
      hint: 'keep one file per image id',
    }),
  unknownId: (file: string, line: number, column: string, id: string, knownFrom: string) =>
    new DataError('unknown-id', `id ${show(id)} is not in ${knownFrom}`, { file, field: cell(line, column) }, {
      hint: `remove the row or add the image to ${knownFrom}`,
    }),
  notInSplit: (file: string, id: string) =>
    new DataError('not-in-split', `id ${show(id)} has a label but no row in the split file`, { file }, {
      hint: 'add the image to the split file, or remove its label rows',
    }),
  conflictingLabels: (file: string, line: number, column: string, id: string) =>
    new DataError('conflicting-labels', `id ${show(id)} is marked negative on one row and has a lesion on another`, { file, field: cell(line, column) }, {
      hint: 'an image is either negative (a single -1 / Target 0 row) or has one row per lesion',
    }),
  missingFile: (file: string, what: string, id?: string) =>
    new DataError('missing-file', `${what}${id !== undefined ? ` for ${show(id)}` : ''} does not exist`, { file }, {
      hint: 'check the dataset folder layout (see docs/data.md) or remove the item from the label file',
    }),
  missingDataset: (root: string, what: string, hint: string) =>
    new DataError('missing-file', `${what} not found`, { file: root }, { hint }),
  boxOutside: (file: string, line: number, found: string, size: string) =>
    new DataError('box-outside', `box ${found} lies outside the ${size} image`, { file, field: cell(line) }, {
      hint: 'boxes are top-left x, y, width, height in pixels of the source image',
    }),
  outputExists: (dir: string) =>
    new DataError('output-exists', 'the output folder already exists', { file: dir }, {
      hint: 'choose a new folder or pass overwrite: true (--force)',
    }),
  unknownFormat: (root: string) =>
    new DataError('unknown-format', 'cannot tell the dataset format from the folder contents', { file: root }, {
      hint: 'pass --format siim|rsna|folder; see docs/data.md for the layouts',
    }),
} as const;
