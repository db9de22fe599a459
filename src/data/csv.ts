/**
 * Label and split CSVs: read with `csv-parse`, the header checked against the columns a format needs
 * (SIIM's ` EncodedPixels` keeps its leading space; aliases cover files that trimmed it), each row kept
 * with its 1-based file line so every later error can name it. Rows with the wrong field count are
 * errors, or problems when `skipBad` is set. Writing is atomic (temp file + rename).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { DataError } from '../core/errors.js';
import { writeFileAtomic } from './atomic.js';
import { dataErrors, problemFrom, type DataProblem } from './problems.js';

/** A column a reader needs: its canonical name, other spellings accepted, and whether it may be absent. */
export interface ColumnSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly optional?: boolean;
}

/** One data row: its 1-based line in the file and its values by canonical column name. */
export interface CsvRow {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

/** A parsed CSV: the header as written, which canonical columns were found, the rows, and skipped rows. */
export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  /** Canonical names of the columns present (optional ones may be missing). */
  readonly present: ReadonlySet<string>;
  readonly rows: readonly CsvRow[];
  readonly problems: readonly DataProblem[];
}

/** Options of `parseCsv` / `readCsv`. */
export interface ReadCsvOptions {
  readonly columns: readonly ColumnSpec[];
  /** Record rows with the wrong number of fields as problems instead of throwing. */
  readonly skipBad?: boolean;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** Parses CSV text (or bytes) into a checked table; `file` is only used to name errors. */
export function parseCsv(input: string | Uint8Array, file: string, options: ReadCsvOptions): CsvTable {
  let records: ParsedRecord[];
  try {
    records = parse(input, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    const lines = (error as { lines?: unknown }).lines;
    throw dataErrors.csvSyntax(file, typeof lines === 'number' ? lines : undefined, (error as Error).message, error);
  }
  const first = records[0];
  if (!first) throw dataErrors.csvEmpty(file);
  const header = first.record;
  const seen = new Set<string>();
  for (const name of header) {
    if (name !== '' && seen.has(name)) throw dataErrors.csvDuplicateColumn(file, name);
    seen.add(name);
  }
  const indexOf = new Map<string, number>();
  const missing: string[] = [];
  for (const spec of options.columns) {
    const candidates = [spec.name, ...(spec.aliases ?? [])];
    const index = header.findIndex((h) => candidates.includes(h));
    if (index >= 0) indexOf.set(spec.name, index);
    else if (!spec.optional) missing.push(spec.name);
  }
  if (missing.length > 0) throw dataErrors.csvMissingColumns(file, missing, header);

  const rows: CsvRow[] = [];
  const problems: DataProblem[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    if (record.length !== header.length) {
      const error: DataError = dataErrors.csvColumnCount(file, info.lines, record.length, header.length);
      if (!options.skipBad) throw error;
      problems.push(problemFrom(error));
      continue;
    }
    const values: Record<string, string> = {};
    for (const [name, index] of indexOf) values[name] = record[index]!;
    rows.push({ line: info.lines, values });
  }
  return { file, header, present: new Set(indexOf.keys()), rows, problems };
}

/** Reads and parses a CSV file; a missing or unreadable file is a `DataError` naming it. */
export async function readCsv(file: string, options: ReadCsvOptions): Promise<CsvTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw dataErrors.missingFile(file, 'the CSV file');
    throw dataErrors.csvUnreadable(file, error);
  }
  return parseCsv(bytes, file, options);
}

/** Formats a header and rows as CSV text (RFC 4180 quoting, `\n` line ends). */
export function formatCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return stringify([header as string[], ...(rows as (string | number)[][])]);
}

/** Writes a CSV file atomically. */
export async function writeCsvAtomic(file: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): Promise<void> {
  await writeFileAtomic(file, formatCsv(header, rows));
}
