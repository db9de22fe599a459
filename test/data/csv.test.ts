import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { formatCsv, parseCsv, readCsv, writeCsvAtomic } from '../../src/data/csv.js';

const siimColumns = [{ name: 'ImageId' }, { name: ' EncodedPixels', aliases: ['EncodedPixels'] }];
const dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-csv-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return (error as DataError).code;
  }
  return undefined;
}

describe('parseCsv', () => {
  it('reads SIIM\'s " EncodedPixels" header with its leading space and keeps 1-based lines', () => {
    const table = parseCsv('ImageId, EncodedPixels\n\na, -1\nb, 1 2\n', 'train-rle.csv', { columns: siimColumns });
    expect(table.rows).toEqual([
      { line: 3, values: { ImageId: 'a', ' EncodedPixels': ' -1' } },
      { line: 4, values: { ImageId: 'b', ' EncodedPixels': ' 1 2' } },
    ]);
  });

  it('accepts a declared alias (a trimmed header) and a BOM', () => {
    const table = parseCsv('\uFEFFImageId,EncodedPixels\na,-1\n', 'f.csv', { columns: siimColumns });
    expect(table.rows[0]!.values[' EncodedPixels']).toBe('-1');
  });

  it('names missing columns and the header found', () => {
    try {
      parseCsv('ImageId,Pixels\na,1\n', 'train-rle.csv', { columns: siimColumns });
      expect.unreachable();
    } catch (error) {
      const e = error as DataError;
      expect(e.code).toBe('csv-missing-columns');
      expect(e.file).toBe('train-rle.csv');
      expect(e.field).toBe('header');
      expect(e.message).toContain('" EncodedPixels"');
      expect(e.message).toContain('"Pixels"');
    }
  });

  it('refuses rows with the wrong field count, or skips and reports them', () => {
    const text = 'ImageId, EncodedPixels\na,-1\nb,1,2\nc,-1\n';
    expect(codeOf(() => parseCsv(text, 'f.csv', { columns: siimColumns }))).toBe('csv-column-count');
    const table = parseCsv(text, 'f.csv', { columns: siimColumns, skipBad: true });
    expect(table.rows.map((r) => r.values.ImageId)).toEqual(['a', 'c']);
    expect(table.problems).toHaveLength(1);
    expect(table.problems[0]).toMatchObject({ kind: 'csv-column-count', file: 'f.csv', field: 'line 3' });
  });

  it('refuses unparseable quoting, empty files and duplicate header names', () => {
    expect(codeOf(() => parseCsv('ImageId, EncodedPixels\n"a,-1\n', 'f.csv', { columns: siimColumns }))).toBe('csv-syntax');
    expect(codeOf(() => parseCsv('', 'f.csv', { columns: siimColumns }))).toBe('csv-empty');
    expect(codeOf(() => parseCsv('ImageId,ImageId\n', 'f.csv', { columns: siimColumns }))).toBe('csv-duplicate-column');
  });
});

describe('reading and writing files', () => {
  it('reports a missing file as missing-file naming it', async () => {
    const file = path.join(dir, 'nope.csv');
    await expect(readCsv(file, { columns: siimColumns })).rejects.toMatchObject({ code: 'missing-file', file });
  });

  it('writes atomically and reads back exactly', async () => {
    const file = path.join(dir, 'labels.csv');
    await writeCsvAtomic(file, ['ImageId', ' EncodedPixels'], [['x', ' -1'], ['y, z', ' 3 4']]);
    expect(await readdir(dir)).toEqual(['labels.csv']);
    expect(await readFile(file, 'utf8')).toBe(formatCsv(['ImageId', ' EncodedPixels'], [['x', ' -1'], ['y, z', ' 3 4']]));
    const table = await readCsv(file, { columns: siimColumns });
    expect(table.rows.map((r) => [r.values.ImageId, r.values[' EncodedPixels']])).toEqual([
      ['x', ' -1'],
      ['y, z', ' 3 4'],
    ]);
  });
});
