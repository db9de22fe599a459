/** decodeDicom on hand-made files: each transfer syntax path, bit layouts, frames, and the refusals. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { decodeDicom, DicomErrorCode } from '../../../src/data/dicom/index.js';
import { parseDicom } from '../../../src/data/dicom/parser.js';
import { Tags } from '../../../src/data/dicom/tags.js';
import { oraclePath } from '../../helpers/oracle.js';
import { encodeRle, imageElements, pixelBytes, writeDicom, type TestElement } from './make-dicom.js';

/** Byte equality of two typed arrays (vitest's toEqual is slow on millions of elements). */
function expectSameBytes(a: ArrayBufferView, b: ArrayBufferView): void {
  expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
}
const readOracle = (f: string): Uint8Array => new Uint8Array(readFileSync(oraclePath(`dicom/${f}`)));
const pixelData = (bytes: Uint8Array): TestElement => ({ tag: Tags.PixelData, vr: 'OW', value: bytes });

async function refusal(bytes: Uint8Array): Promise<DataError> {
  const error = await decodeDicom(bytes, { source: 'test.dcm' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  expect((error as DataError).file).toBe('test.dcm');
  return error as DataError;
}

describe('data set encodings', () => {
  const values = [0, 1, 2, 1000, 4095, 65535, 300, 7, 8, 9, 10, 11];
  const base = imageElements({ rows: 3, columns: 4 });

  it('reads explicit LE, implicit LE, big endian and deflated files alike', async () => {
    const el = [...base, pixelData(pixelBytes(values, 16))];
    for (const ts of ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.1.99']) {
      const d = await decodeDicom(writeDicom(el, { transferSyntax: ts }));
      expect(Array.from(d.pixels)).toEqual(values);
      expect(d.attributes.transferSyntaxUid).toBe(ts);
    }
    // Big endian: the writer stores 16-bit words big-endian, so give it the swapped OW bytes.
    const swapped = pixelBytes(values, 16);
    for (let i = 0; i < swapped.length; i += 2) [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
    const be = await decodeDicom(writeDicom([...base, pixelData(swapped)], { transferSyntax: '1.2.840.10008.1.2.2' }));
    expect(Array.from(be.pixels)).toEqual(values);
  });

  it('reads a bare implicit VR data set (no preamble, no meta) like the full file', async () => {
    const full = readOracle('MR_small_implicit.dcm');
    const groupLength = new DataView(full.buffer, full.byteOffset).getUint32(132 + 8, true);
    const bare = full.subarray(132 + 12 + groupLength);
    const a = await decodeDicom(full);
    const b = await decodeDicom(bare);
    expectSameBytes(b.pixels, a.pixels);
    expect(b.attributes.transferSyntaxUid).toBe('1.2.840.10008.1.2');
    expect(b.warnings.join()).toContain('no preamble');
    // And an explicit one without preamble or meta.
    const explicit = writeDicom([...base, pixelData(pixelBytes(values, 16))], { preamble: false, meta: false });
    expect(Array.from((await decodeDicom(explicit)).pixels)).toEqual(values);
  });

  it('keeps Bits Stored below High Bit and sign-extends signed values', async () => {
    // 12 bits stored in 16, signed, with junk in the top 4 bits (an old overlay plane).
    const raw = [0xf000 | 0x0fff, 0x0800, 0xa7ff, 0x0001];
    const el = [...imageElements({ rows: 2, columns: 2, bitsStored: 12, signed: true }), pixelData(pixelBytes(raw, 16))];
    const d = await decodeDicom(writeDicom(el));
    expect(d.pixels).toBeInstanceOf(Int16Array);
    expect(Array.from(d.pixels)).toEqual([-1, -2048, 2047, 1]);
    // High Bit 15: the stored bits are the top 12.
    const shifted = [...imageElements({ rows: 1, columns: 2, bitsStored: 12, highBit: 15 }), pixelData(pixelBytes([0xfff0, 0x0010], 16))];
    expect(Array.from((await decodeDicom(writeDicom(shifted))).pixels)).toEqual([4095, 1]);
  });

  it('handles 8- and 32-bit, 1-bit, planar RGB and YBR_FULL_422', async () => {
    const u8 = await decodeDicom(writeDicom([...imageElements({ rows: 1, columns: 4, bitsAllocated: 8, signed: true }), pixelData(pixelBytes([0, 127, 128, 255], 8))]));
    expect(u8.pixels).toBeInstanceOf(Int8Array);
    expect(Array.from(u8.pixels)).toEqual([0, 127, -128, -1]);
    const u32 = await decodeDicom(writeDicom([...imageElements({ rows: 1, columns: 2, bitsAllocated: 32 }), pixelData(pixelBytes([4000000000, 5], 32))]));
    expect(Array.from(u32.pixels)).toEqual([4000000000, 5]);
    const bits = await decodeDicom(writeDicom([...imageElements({ rows: 2, columns: 5, bitsAllocated: 1 }), pixelData(Uint8Array.from([0b10100101, 0b11]))]));
    expect(Array.from(bits.pixels)).toEqual([1, 0, 1, 0, 0, 1, 0, 1, 1, 1]);
    const rgb = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const planar = [1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12];
    const p = await decodeDicom(writeDicom([...imageElements({ rows: 2, columns: 2, bitsAllocated: 8, samples: 3, planar: 1 }), pixelData(pixelBytes(planar, 8))]));
    expect(Array.from(p.pixels)).toEqual(rgb);
    expect(p.shape).toEqual([1, 2, 2, 3]);
    const ybr = await decodeDicom(
      writeDicom([...imageElements({ rows: 1, columns: 2, bitsAllocated: 8, samples: 3, photometric: 'YBR_FULL_422' }), pixelData(Uint8Array.from([10, 20, 128, 130]))]),
    );
    expect(Array.from(ybr.pixels)).toEqual([10, 128, 130, 20, 128, 130]);
    expect(ybr.colorSpace).toBe('YBR_FULL');
  });

  it('decodes every frame of a multi-frame file, or only the first when asked', async () => {
    const frames = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const file = writeDicom([...imageElements({ rows: 2, columns: 2, frames: 3 }), pixelData(pixelBytes(frames, 16))]);
    const all = await decodeDicom(file);
    expect(all.shape).toEqual([3, 2, 2, 1]);
    expect(Array.from(all.pixels)).toEqual(frames);
    const first = await decodeDicom(file, { maxFrames: 1 });
    expect(Array.from(first.pixels)).toEqual([1, 2, 3, 4]);
  });

  it('decodes UTF-8 text when the Specific Character Set says ISO_IR 192', async () => {
    const name = Uint8Array.from(Buffer.from('Müller^Zoë', 'utf8'));
    const el = [...base.filter((x) => x.tag !== 0x00100010), { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' }, { tag: 0x00100010, vr: 'PN', value: name }, pixelData(pixelBytes(values, 16))];
    expect((await decodeDicom(writeDicom(el))).attributes.identifiers.patientName).toBe('Müller^Zoë');
  });

  it('ignores extra pixel bytes with a warning and refuses missing ones', async () => {
    const extra = await decodeDicom(writeDicom([...imageElements({ rows: 1, columns: 2 }), pixelData(pixelBytes([1, 2, 3, 4], 16))]));
    expect(Array.from(extra.pixels)).toEqual([1, 2]);
    expect(extra.warnings.join()).toContain('beyond');
    const short = await refusal(writeDicom([...imageElements({ rows: 2, columns: 2 }), pixelData(pixelBytes([1, 2], 16))]));
    expect(short.code).toBe(DicomErrorCode.pixelDataLength);
    expect(short.message).toMatch(/holds 4 bytes, expected 8/);
  });
});

describe('encapsulated pixel data', () => {
  const baseline = readOracle('cxr_jpeg_baseline.dcm');
  const parsed = parseDicom(baseline, 'cxr');
  const fragment = parsed.dataset.elements.get(Tags.PixelData)!.fragments![1]!;
  const jpeg = baseline.slice(fragment.offset, fragment.offset + fragment.length);
  const image = imageElements({ rows: 1024, columns: 1024, bitsAllocated: 8 });
  const enc = (frames: number, el: Partial<TestElement>): Uint8Array =>
    writeDicom([...imageElements({ rows: 1024, columns: 1024, bitsAllocated: 8, frames }), { tag: Tags.PixelData, vr: 'OB', ...el }], {
      transferSyntax: '1.2.840.10008.1.2.4.50',
    });

  it('joins a frame split over several fragments', async () => {
    const single = await decodeDicom(baseline);
    const cut = Math.floor(jpeg.length / 3) * 2;
    const split = await decodeDicom(
      writeDicom([...image, { tag: Tags.PixelData, vr: 'OB', fragments: [jpeg.subarray(0, cut), jpeg.subarray(cut)] }], { transferSyntax: '1.2.840.10008.1.2.4.50' }),
    );
    expectSameBytes(split.pixels, single.pixels);
  });

  it('splits frames by the offset table, by one fragment each, and by JPEG markers', async () => {
    const single = await decodeDicom(baseline);
    const half = 1000;
    const cases = [
      enc(2, { fragments: [jpeg, jpeg] }),
      enc(2, { fragments: [jpeg.subarray(0, half), jpeg.subarray(half), jpeg], offsets: [0, 8 + half + 8 + (jpeg.length - half + ((jpeg.length - half) % 2))] }),
      enc(2, { fragments: [jpeg.subarray(0, half), jpeg.subarray(half), jpeg] }),
    ];
    for (const file of cases) {
      const d = await decodeDicom(file);
      expect(d.shape).toEqual([2, 1024, 1024, 1]);
      expectSameBytes(d.pixels.subarray(0, 1024 * 1024), single.pixels);
      expectSameBytes(d.pixels.subarray(1024 * 1024), single.pixels);
    }
  });

  it('refuses a codestream whose size disagrees with Rows/Columns', async () => {
    const wrong = writeDicom([...imageElements({ rows: 512, columns: 1024, bitsAllocated: 8 }), { tag: Tags.PixelData, vr: 'OB', fragments: [jpeg] }], {
      transferSyntax: '1.2.840.10008.1.2.4.50',
    });
    const e = await refusal(wrong);
    expect(e.code).toBe(DicomErrorCode.codestreamMismatch);
    expect(e.message).toContain('1024x1024');
  });

  it('RLE: 16-bit signed and 8-bit RGB round trips', async () => {
    const values = [-32768, -1, 0, 1, 32767, 5, 5, 5, 5, 5, 1234, -1234];
    const rle = encodeRle(values, 1, 2);
    const d = await decodeDicom(
      writeDicom([...imageElements({ rows: 3, columns: 4, signed: true }), { tag: Tags.PixelData, vr: 'OB', fragments: [rle] }], { transferSyntax: '1.2.840.10008.1.2.5' }),
    );
    expect(Array.from(d.pixels)).toEqual(values);
    const rgb = Array.from({ length: 2 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const e = await decodeDicom(
      writeDicom([...imageElements({ rows: 2, columns: 3, samples: 3, bitsAllocated: 8 }), { tag: Tags.PixelData, vr: 'OB', fragments: [encodeRle(rgb, 3, 1)] }], {
        transferSyntax: '1.2.840.10008.1.2.5',
      }),
    );
    expect(Array.from(e.pixels)).toEqual(rgb);
    const broken = encodeRle(values, 1, 2).slice(0, 70);
    const bad = await refusal(
      writeDicom([...imageElements({ rows: 3, columns: 4 }), { tag: Tags.PixelData, vr: 'OB', fragments: [broken] }], { transferSyntax: '1.2.840.10008.1.2.5' }),
    );
    expect(bad.code).toBe(DicomErrorCode.corruptCodestream);
  });
});

describe('refusals name the file, the tag, what was found and what to do', () => {
  const px = (): TestElement => pixelData(pixelBytes([1, 2, 3, 4], 16));

  it('unsupported transfer syntax', async () => {
    const e = await refusal(writeDicom([...imageElements({ rows: 2, columns: 2 }), { tag: Tags.PixelData, vr: 'OB', fragments: [new Uint8Array(8)] }], { transferSyntax: '1.2.840.10008.1.2.4.100' }));
    expect(e.code).toBe(DicomErrorCode.unsupportedTransferSyntax);
    expect(e.field).toContain('TransferSyntaxUID');
    expect(e.message).toContain('MPEG2');
    expect(e.hint).toContain('dcmdjpeg');
  });

  it('missing and invalid image attributes', async () => {
    const noRows = imageElements({ rows: 2, columns: 2 }).filter((x) => x.tag !== Tags.Rows);
    const e = await refusal(writeDicom([...noRows, px()]));
    expect(e.code).toBe(DicomErrorCode.missingAttribute);
    expect(e.field).toBe('(0028,0010) Rows');
    const bits = await refusal(writeDicom([...imageElements({ rows: 2, columns: 2, bitsAllocated: 12 }), px()]));
    expect(bits.code).toBe(DicomErrorCode.unsupportedPixelFormat);
    expect(bits.field).toContain('BitsAllocated');
  });

  it('no pixel data, not DICOM, and truncation', async () => {
    const none = await refusal(writeDicom(imageElements({ rows: 2, columns: 2 })));
    expect(none.code).toBe(DicomErrorCode.noPixelData);
    expect(none.message).toContain('DX');
    const junk = await refusal(Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) % 256));
    expect(junk.code).toBe(DicomErrorCode.notDicom);
    const file = writeDicom([...imageElements({ rows: 2, columns: 2 }), px()]);
    const cut = await refusal(file.subarray(0, file.length - 3));
    expect(cut.code).toBe(DicomErrorCode.truncated);
    expect(cut.field).toContain('PixelData');
    expect(cut.message).toMatch(/declares 8 bytes .* only 5 remain/);
  });

  it('the oracle refusals carry the expected codes', async () => {
    const codes: Record<string, string> = {
      'no_meta.dcm': DicomErrorCode.notDicom,
      'MR_truncated.dcm': DicomErrorCode.truncated,
      'reportsi.dcm': DicomErrorCode.noPixelData,
    };
    for (const [file, code] of Object.entries(codes)) {
      const e = await decodeDicom(readOracle(file), { source: file }).catch((x: unknown) => x as DataError);
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).code).toBe(code);
    }
  });
});

describe('Float Pixel Data (parametric maps, e.g. heatcheck\'s DICOM export)', () => {
  const values = [0, 1, -2.5, 0.1, 1e-7, 3.4e38];
  const floatBytes = (littleEndian: boolean, count = values.length): Uint8Array => {
    const bytes = new Uint8Array(count * 4);
    const view = new DataView(bytes.buffer);
    values.slice(0, count).forEach((v, i) => view.setFloat32(4 * i, v, littleEndian));
    return bytes;
  };
  const floatPixels = (bytes: Uint8Array): TestElement => ({ tag: Tags.FloatPixelData, vr: 'OF', value: bytes });

  it('decodes to Float32 from little- and big-endian files', async () => {
    const base = imageElements({ rows: 2, columns: 3, bitsAllocated: 32 });
    for (const [ts, littleEndian] of [
      ['1.2.840.10008.1.2.1', true],
      ['1.2.840.10008.1.2.2', false],
    ] as const) {
      const d = await decodeDicom(writeDicom([...base, floatPixels(floatBytes(littleEndian))], { transferSyntax: ts }));
      expect(d.pixels).toBeInstanceOf(Float32Array);
      expect(d.shape).toEqual([1, 2, 3, 1]);
      expect(Array.from(d.pixels)).toEqual(Array.from(Float32Array.from(values)));
    }
  });

  it('refuses Bits Allocated other than 32 and data shorter than the image', async () => {
    expect((await refusal(writeDicom([...imageElements({ rows: 2, columns: 3, bitsAllocated: 16 }), floatPixels(floatBytes(true))]))).code).toBe(DicomErrorCode.invalidAttribute);
    expect((await refusal(writeDicom([...imageElements({ rows: 2, columns: 3, bitsAllocated: 32 }), floatPixels(floatBytes(true, 4))]))).code).toBe(DicomErrorCode.pixelDataLength);
  });
});
