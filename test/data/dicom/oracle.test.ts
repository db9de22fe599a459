import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { decodeDicom, type DecodedDicom } from '../../../src/data/dicom/index.js';
import { oraclePath, readOracleJson } from '../../helpers/oracle.js';

interface OracleCase {
  file: string;
  transfer_syntax: string | null;
  expect: 'decodes' | 'error';
  Modality?: string;
  Rows?: number;
  Columns?: number;
  PhotometricInterpretation?: string;
  BitsAllocated?: number;
  BitsStored?: number;
  PixelRepresentation?: number;
  SamplesPerPixel?: number;
  RescaleSlope?: number;
  RescaleIntercept?: number;
  WindowCenter?: string;
  WindowWidth?: string;
  NumberOfFrames?: number;
  pixels?: { shape: number[]; dtype: string; min: number; max: number; mean: number; sha256_int64_le: string; samples: [number, number][] };
}

const cases = readOracleJson<{ cases: OracleCase[] }>('dicom/dicom.json').cases;
const read = (file: string): Uint8Array => new Uint8Array(readFileSync(oraclePath(`dicom/${file}`)));

/** SHA-256 of the values as little-endian int64, as the oracle computes it. */
export function sha256Int64(values: ArrayLike<number>): string {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return createHash('sha256').update(new Uint8Array(out.buffer)).digest('hex');
}

/** The oracle's shape: frames first only when there are several; samples last only when there are several. */
function oracleShape(d: DecodedDicom): number[] {
  const [frames, rows, columns, samples] = d.shape;
  return [...(frames > 1 ? [frames] : []), rows, columns, ...(samples > 1 ? [samples] : [])];
}

describe('decodeDicom against pydicom + GDCM (shared/oracle/dicom)', () => {
  for (const c of cases.filter((x) => x.expect === 'decodes')) {
    it(`${c.file} (${c.transfer_syntax})`, async () => {
      const d = await decodeDicom(read(c.file), { source: c.file });
      const a = d.attributes;
      expect(a.transferSyntaxUid).toBe(c.transfer_syntax);
      expect(a.rows).toBe(c.Rows);
      expect(a.columns).toBe(c.Columns);
      expect(a.photometricInterpretation).toBe(c.PhotometricInterpretation);
      expect(a.bitsAllocated).toBe(c.BitsAllocated);
      expect(a.bitsStored).toBe(c.BitsStored);
      expect(a.pixelRepresentation).toBe(c.PixelRepresentation);
      expect(a.samplesPerPixel).toBe(c.SamplesPerPixel);
      expect(a.modality).toBe(c.Modality);
      if (c.RescaleSlope !== undefined) expect(a.rescaleSlope).toBe(c.RescaleSlope);
      if (c.RescaleIntercept !== undefined) expect(a.rescaleIntercept).toBe(c.RescaleIntercept);
      if (c.WindowCenter !== undefined) expect(a.windowCenters[0]).toBe(Number(c.WindowCenter));
      if (c.WindowWidth !== undefined) expect(a.windowWidths[0]).toBe(Number(c.WindowWidth));
      if (c.NumberOfFrames !== undefined) expect(a.numberOfFrames).toBe(c.NumberOfFrames);
      const p = c.pixels!;
      expect(oracleShape(d)).toEqual(p.shape);
      const values = d.pixels;
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      // Exact even for the lossy codecs: libjpeg-turbo, our islow IDCT and OpenJPEG match GDCM bit for bit.
      expect(sha256Int64(values)).toBe(p.sha256_int64_le);
      for (const [index, value] of p.samples) expect(values[index]).toBe(value);
      expect(min).toBe(p.min);
      expect(max).toBe(p.max);
      expect(sum / values.length).toBeCloseTo(p.mean, 6);
    });
  }

  for (const c of cases.filter((x) => x.expect === 'error')) {
    it(`refuses ${c.file} with a DataError naming the file`, async () => {
      const error = await decodeDicom(read(c.file), { source: c.file }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataError);
      const e = error as DataError;
      expect(e.file).toBe(c.file);
      expect(e.message).toContain(c.file);
      expect(e.hint).toBeTruthy();
    });
  }
});
