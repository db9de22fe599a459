/**
 * Uncompressed (native) pixel data: little or big endian, 1 to 32 bits allocated, planar or interleaved
 * colour, and YBR_FULL_422's two-samples-per-pixel layout expanded to three samples.
 */
import type { DicomAttributes } from './attributes.js';
import { dicomErrors } from './messages.js';
import { allocateStored, reduceToBitsStored, type StoredPixelArray } from './stored-values.js';

/** Reads `frames` frames of native pixel data into stored values (frames x rows x columns x samples). */
export function decodeNative(
  value: Uint8Array,
  attrs: DicomAttributes,
  frames: number,
  littleEndian: boolean,
  source: string,
  warnings: string[],
): StoredPixelArray {
  const { rows, columns, samplesPerPixel, bitsAllocated, numberOfFrames } = attrs;
  const pixels = rows * columns;
  const subsampled = samplesPerPixel === 3 && (attrs.photometricInterpretation === 'YBR_FULL_422' || attrs.photometricInterpretation === 'YBR_PARTIAL_422');
  if (subsampled && (bitsAllocated !== 8 || columns % 2 !== 0)) {
    throw dicomErrors.unsupportedPixelFormat(source, 0x00280004, `${attrs.photometricInterpretation} with ${bitsAllocated} bits and ${columns} columns`);
  }
  const storedSamples = subsampled ? 2 : samplesPerPixel;
  const bytesPerSample = bitsAllocated / 8;
  const expected =
    bitsAllocated === 1 ? Math.ceil((pixels * samplesPerPixel * numberOfFrames) / 8) : pixels * storedSamples * bytesPerSample * numberOfFrames;
  const layout = `${numberOfFrames} frame(s) of ${rows}x${columns}, ${samplesPerPixel} sample(s), ${bitsAllocated} bits allocated`;
  if (value.length < expected) throw dicomErrors.pixelDataLength(source, value.length, expected, layout);
  if (value.length > expected + 1) warnings.push(`Pixel Data has ${value.length - expected} bytes beyond the ${expected} expected: ignored`);

  const count = pixels * samplesPerPixel * frames;
  let out: StoredPixelArray;
  if (bitsAllocated === 1) {
    const bits = new Uint8Array(count);
    for (let i = 0; i < count; i++) bits[i] = (value[i >> 3]! >> (i & 7)) & 1;
    return bits;
  } else if (subsampled) {
    out = allocateStored(attrs, count);
    for (let p = 0, q = 0; q < count; p += 4, q += 6) {
      const y1 = value[p]!;
      const y2 = value[p + 1]!;
      const cb = value[p + 2]!;
      const cr = value[p + 3]!;
      out[q] = y1;
      out[q + 1] = cb;
      out[q + 2] = cr;
      out[q + 3] = y2;
      out[q + 4] = cb;
      out[q + 5] = cr;
    }
    return out;
  } else {
    const copy = value.slice(0, count * bytesPerSample);
    if (!littleEndian && bytesPerSample > 1) swapBytes(copy, bytesPerSample);
    out = view(copy, attrs);
  }
  reduceToBitsStored(out, attrs);
  if (samplesPerPixel > 1 && attrs.planarConfiguration === 1) out = interleaveFrames(out, pixels, samplesPerPixel, frames);
  return out;
}

/** A typed view of little-endian bytes with the image's array type. */
export function view(bytes: Uint8Array, attrs: DicomAttributes): StoredPixelArray {
  const signed = attrs.pixelRepresentation === 1;
  const { buffer, byteOffset, byteLength } = bytes;
  switch (attrs.bitsAllocated) {
    case 8:
      return signed ? new Int8Array(buffer, byteOffset, byteLength) : bytes;
    case 16:
      return signed ? new Int16Array(buffer, byteOffset, byteLength / 2) : new Uint16Array(buffer, byteOffset, byteLength / 2);
    default:
      return signed ? new Int32Array(buffer, byteOffset, byteLength / 4) : new Uint32Array(buffer, byteOffset, byteLength / 4);
  }
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** Planar (RRR..GGG..BBB..) frames to interleaved (RGBRGB..). */
function interleaveFrames(planar: StoredPixelArray, pixels: number, samples: number, frames: number): StoredPixelArray {
  const out = planar.slice();
  for (let f = 0; f < frames; f++) {
    const base = f * pixels * samples;
    for (let s = 0; s < samples; s++) {
      for (let i = 0; i < pixels; i++) out[base + i * samples + s] = planar[base + s * pixels + i]!;
    }
  }
  return out;
}
