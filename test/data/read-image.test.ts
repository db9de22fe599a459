import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { decodeDicom } from '../../src/data/dicom/index.js';
import { parseDicom } from '../../src/data/dicom/parser.js';
import { Tags } from '../../src/data/dicom/tags.js';
import { decodePng, encodeGreyPng, encodePng, writePng } from '../../src/data/image-io.js';
import { decodeImage, readImage } from '../../src/data/read-image.js';
import { resizeImage } from '../../src/imaging/resize.js';
import { oraclePath } from '../helpers/oracle.js';
import { imageElements, pixelBytes, writeDicom, type TestElement } from './dicom/make-dicom.js';

const dir = mkdtempSync(path.join(tmpdir(), 'heatcheck-read-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const oracle = (f: string): string => oraclePath(`dicom/${f}`);
const pixelData = (bytes: Uint8Array): TestElement => ({ tag: Tags.PixelData, vr: 'OW', value: bytes });
const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
/** The first pixel-data fragment of an encapsulated oracle file: a bare JPEG codestream. */
function codestream(file: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(oracle(file)));
  const f = parseDicom(bytes, file).dataset.elements.get(Tags.PixelData)!.fragments![1]!;
  return bytes.slice(f.offset, f.offset + f.length);
}

describe('readImage on DICOM', () => {
  it('gives the same canonical image for the MONOCHROME1 and MONOCHROME2 versions of a chest image', async () => {
    const mono1 = await readImage(oracle('cxr_mono1_12bit_jpegls.dcm'));
    const mono2 = await readImage(oracle('cxr_mono2_12bit_jpeg_lossless.dcm'));
    expect(mono1.width).toBe(1024);
    expect(maxAbsDiff(mono1.pixels, mono2.pixels)).toBeLessThan(1e-6);
    // With each file's own window they agree to one grey level (their centres differ by one).
    const w1 = await readImage(oracle('cxr_mono1_12bit_jpegls.dcm'), { window: 'dicom' });
    const w2 = await readImage(oracle('cxr_mono2_12bit_jpeg_lossless.dcm'), { window: 'dicom' });
    expect(w1.metadata.window).toBe('window 2047/4096 (LINEAR)');
    expect(maxAbsDiff(w1.pixels, w2.pixels)).toBeLessThan(1.5 / 4095);
    // Bright = dense: the mediastinum (centre) is brighter than the lung fields' air would be in MONOCHROME1 stored values.
    const stored = await decodeDicom(new Uint8Array(readFileSync(oracle('cxr_mono1_12bit_jpegls.dcm'))));
    expect(mono1.pixels[0]).toBeCloseTo(1 - stored.pixels[0]! / 4095, 6);
  });

  it('maps 8-bit stored values to v/255 and keeps metadata de-identified', async () => {
    const image = await readImage(oracle('cxr_jpeg_baseline.dcm'));
    const stored = await decodeDicom(new Uint8Array(readFileSync(oracle('cxr_jpeg_baseline.dcm'))));
    for (const i of [0, 1000, 524288, 1048575]) expect(image.pixels[i]).toBeCloseTo(stored.pixels[i]! / 255, 7);
    expect(image.source).toBe(oracle('cxr_jpeg_baseline.dcm'));
    expect(image.metadata.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.50');
    expect(image.metadata.lossy).toBe(true);
    const ct = await readImage(oracle('CT_small.dcm'));
    for (const key of ['patientName', 'patientId', 'patientBirthDate', 'studyInstanceUid', 'seriesInstanceUid', 'sopInstanceUid', 'studyDate', 'accessionNumber']) {
      expect(ct.metadata).not.toHaveProperty(key);
    }
    expect(JSON.stringify(ct.metadata)).not.toContain('CompressedSamples');
    const withIds = await readImage(oracle('CT_small.dcm'), { includeIdentifiers: true });
    expect(withIds.metadata.patientName).toBe('CompressedSamples^CT1');
    expect(withIds.metadata.studyInstanceUid).toBeTruthy();
  });

  it('applies rescale, windows, VOI and modality LUTs, padding and first-frame selection', async () => {
    const values = [0, 100, 200, 300, 400, 4095];
    const el = (extra: TestElement[], frames?: number): Uint8Array =>
      writeDicom([...imageElements({ rows: 1, columns: 6, bitsStored: 12, extra, ...(frames ? { frames } : {}) }), pixelData(pixelBytes(frames ? [...values, ...values.map((v) => 4095 - v)] : values, 16))]);
    const file = path.join(dir, 'w.dcm');
    const read = async (bytes: Uint8Array, options = {}) => decodeImage(bytes, file, options);

    const plain = await read(el([]));
    expect(Array.from(plain.pixels)).toEqual(values.map((v) => Math.fround(v / 4095)));
    const windowed = await read(el([{ tag: Tags.WindowCenter, vr: 'DS', value: '200.5' }, { tag: Tags.WindowWidth, vr: 'DS', value: '201' }]), { window: 'dicom' });
    expect(Array.from(windowed.pixels)).toEqual([0, 0, 0.5, 1, 1, 1]);
    const exact = await read(el([]), { window: { center: 200, width: 200 } });
    expect(exact.pixels[0]).toBe(0);
    expect(exact.pixels[3]).toBe(1);
    const minmax = await read(el([]), { window: 'min-max' });
    expect(minmax.pixels[5]).toBe(1);
    const rescaled = await read(el([{ tag: Tags.RescaleSlope, vr: 'DS', value: '2' }, { tag: Tags.RescaleIntercept, vr: 'DS', value: '-1000' }]), { window: { center: -600, width: 401 } });
    expect(rescaled.pixels[2]).toBeCloseTo(0.5 / 400 + 0.5, 6); // 200 * 2 - 1000 = -600; PS3.3 linear window
    const voi = await read(
      el([
        {
          tag: Tags.VOILUTSequence,
          vr: 'SQ',
          items: [
            [
              { tag: Tags.LUTDescriptor, vr: 'US', value: [4, 100, 8] },
              { tag: Tags.LUTData, vr: 'OW', value: pixelBytes([0, 85, 170, 255], 16) },
            ],
          ],
        },
      ]),
      { window: 'dicom' },
    );
    expect(voi.metadata.window).toBe('VOI LUT');
    expect(Array.from(voi.pixels)).toEqual([0, 0, 1, 1, 1, 1].map((v, i) => (i === 1 ? 0 : v)));
    const padded = await read(el([{ tag: Tags.PixelPaddingValue, vr: 'US', value: [4095] }]));
    expect(padded.pixels[5]).toBe(0);
    expect(padded.warnings.join()).toContain('padding');
    const multi = await read(el([], 2));
    expect(multi.warnings).toContain('first frame of 2 used');
    expect(Array.from(multi.pixels)).toEqual(plain.pixels.length ? Array.from(plain.pixels) : []);
    const noWindow = await read(el([]), { window: 'dicom' });
    expect(noWindow.warnings.join()).toContain('no VOI LUT or window');
  });

  it('converts colour DICOM to grey with a warning', async () => {
    const rgb = await readImage(oracle('SC_rgb_rle.dcm'));
    expect(rgb.warnings.join()).toContain('grey');
    const ybr = await readImage(oracle('SC_rgb_jpeg_dcmtk.dcm'));
    // The same picture stored as RGB (RLE) and as YBR_FULL JPEG: luma agrees to JPEG error.
    let sum = 0;
    for (let i = 0; i < rgb.pixels.length; i++) sum += Math.abs(rgb.pixels[i]! - ybr.pixels[i]!);
    expect(sum / rgb.pixels.length).toBeLessThan(0.02);
  });

  it('resizes on request', async () => {
    const full = await readImage(oracle('cxr_jpeg_baseline.dcm'));
    const small = await readImage(oracle('cxr_jpeg_baseline.dcm'), { resize: { width: 320, height: 320 } });
    expect(small.width).toBe(320);
    expect(small.metadata.resizedFrom).toBe('1024x1024');
    expect(small.pixels).toEqual(resizeImage(full.pixels, 1024, 1024, { width: 320, height: 320 }));
  });
});

describe('readImage on PNG and JPEG', () => {
  it('reads 8- and 16-bit grey PNGs into the same canonical values', async () => {
    const pixels = Float32Array.from({ length: 12 }, (_, i) => i / 11);
    for (const depth of [8, 16] as const) {
      const file = path.join(dir, `g${depth}.png`);
      writeFileSync(file, encodeGreyPng(pixels, 4, 3, depth));
      const image = await readImage(file);
      expect(image.metadata.bitDepth).toBe(depth);
      expect(maxAbsDiff(image.pixels, pixels)).toBeLessThanOrEqual(0.5 / (2 ** depth - 1) + 1e-7);
    }
    const raw = Uint16Array.from([0, 1, 65535, 40000]);
    const file = path.join(dir, 'raw16.png');
    await writePng(file, { data: raw, width: 2, height: 2 });
    expect(decodePng(readFileSync(file)).data).toEqual(raw);
  });

  it('reads colour PNG as luma, with a warning', async () => {
    const data = Uint8Array.from([255, 0, 0, 0, 255, 0]);
    const image = await decodeImage(encodePng({ data, width: 2, height: 1, channels: 3 }), 'c.png');
    expect(image.pixels[0]).toBeCloseTo(0.299, 5);
    expect(image.pixels[1]).toBeCloseTo(0.587, 5);
    expect(image.warnings.join()).toContain('grey');
  });

  it('reads the JPEG inside a DICOM file to the same image as the DICOM (8-bit and 12-bit)', async () => {
    for (const name of ['cxr_jpeg_baseline.dcm', 'JPEG-lossy.dcm']) {
      const jpgFile = path.join(dir, `${name}.jpg`);
      writeFileSync(jpgFile, codestream(name));
      const fromJpeg = await readImage(jpgFile);
      const fromDicom = await readImage(oracle(name));
      expect(fromJpeg.metadata.format).toBe('jpeg');
      expect(fromJpeg.width).toBe(fromDicom.width);
      // The DICOM says 12 bits stored; the JPEG's own precision is 12 too, so both scale by 4095.
      expect(maxAbsDiff(fromJpeg.pixels, fromDicom.pixels)).toBeLessThan(1e-6);
    }
    // Lossless JPEG: dcmtk coded the 12-bit image at 16-bit precision, so a bare .jpg scales by 65535.
    const lossless = path.join(dir, 'lossless.jpg');
    writeFileSync(lossless, codestream('cxr_mono2_12bit_jpeg_lossless.dcm'));
    const a = await readImage(lossless);
    const b = await readImage(oracle('cxr_mono2_12bit_jpeg_lossless.dcm'));
    expect(a.metadata.bitDepth).toBe(16);
    expect(maxAbsDiff(a.pixels.map((v) => (v * 65535) / 4095), b.pixels)).toBeLessThan(1e-5);
  });

  const failure = (p: Promise<unknown>): Promise<DataError> =>
    p.then(
      () => {
        throw new Error('expected a DataError');
      },
      (e: unknown) => e as DataError,
    );

  it('refuses missing, unknown and corrupt files with DataErrors naming the file', async () => {
    const missing = await failure(readImage(path.join(dir, 'nope.dcm')));
    expect(missing).toBeInstanceOf(DataError);
    expect(missing.code).toBe('image-file-missing');
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not an image at all; '.repeat(10));
    const unknown = await failure(readImage(text));
    expect(unknown.code).toBe('image-unknown-format');
    expect(unknown.file).toBe(text);
    const png = encodeGreyPng(new Float32Array(100), 10, 10, 8);
    const corrupt = await failure(decodeImage(png.subarray(0, 40), 'cut.png'));
    expect(corrupt).toBeInstanceOf(DataError);
    expect(corrupt.code).toBe('image-corrupt');
    expect(corrupt.message).toContain('cut.png');
  });
});
