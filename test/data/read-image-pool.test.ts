import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { createDecodePool } from '../../src/data/decode-pool.js';
import { readImage } from '../../src/data/read-image.js';
import { oraclePath } from '../helpers/oracle.js';

describe('decode pool', () => {
  const pool = createDecodePool({ workers: 2, recycleAfter: 3 });
  afterAll(() => pool.close());

  it('decodes on workers exactly as in-process, across recycling', async () => {
    const files = ['cxr_jpeg_baseline.dcm', 'cxr_mono1_12bit_jpegls.dcm', 'MR_small_RLE.dcm', 'JPEG2000.dcm', 'CT_small.dcm'].map((f) => oraclePath(`dicom/${f}`));
    const pooled = await Promise.all(files.map((f) => pool.readImage(f, { resize: { width: 64, height: 64 } })));
    for (const [i, f] of files.entries()) {
      const local = await readImage(f, { resize: { width: 64, height: 64 } });
      expect(pooled[i]!.pixels).toEqual(local.pixels);
      expect(pooled[i]!.metadata).toEqual(local.metadata);
      expect(pooled[i]!.width).toBe(64);
    }
  });

  it('rebuilds DataErrors from the workers', async () => {
    const error = await pool.readImage(oraclePath('dicom/MR_truncated.dcm')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe('dicom-truncated');
    expect((error as DataError).field).toContain('PixelData');
    expect((error as DataError).file).toBe(oraclePath('dicom/MR_truncated.dcm'));
    expect((error as DataError).message).toContain('MR_truncated.dcm');
    expect((error as DataError).hint).toBeTruthy();
    const missing = await pool.readImage('/nonexistent/x.dcm').catch((e: unknown) => e);
    expect((missing as DataError).code).toBe('image-file-missing');
  });

  it('stops a task that runs past the timeout with a DataError, and the pool carries on', async () => {
    const strict = createDecodePool({ workers: 1, timeoutMs: 1 });
    try {
      const file = oraclePath('dicom/cxr_mono2_12bit_jpeg_lossless.dcm');
      const error = await strict.readImage(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).code).toBe('image-decode-timeout');
      expect((error as DataError).file).toBe(file);
    } finally {
      await strict.close();
    }
  });

  it('recycles on demand and keeps working', async () => {
    await pool.recycle();
    const image = await pool.readImage(oraclePath('dicom/MR_small.dcm'));
    expect(image.width).toBe(64);
  });
});
