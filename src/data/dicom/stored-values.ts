/**
 * Typed arrays of stored pixel values and the bit handling the standard asks of them: the output type
 * follows Bits Allocated and Pixel Representation, and values are reduced to Bits Stored (below High
 * Bit, sign-extended when signed) so that unused high bits (e.g. old overlay planes) never leak in.
 */
import type { DicomAttributes } from './attributes.js';

/** Stored pixel values: the array type follows Bits Allocated (1 and 8 -> 8-bit) and Pixel Representation. */
export type StoredPixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** A zeroed array of `count` stored values of the image's type. */
export function allocateStored(attrs: DicomAttributes, count: number): StoredPixelArray {
  const signed = attrs.pixelRepresentation === 1;
  switch (attrs.bitsAllocated) {
    case 1:
      return new Uint8Array(count);
    case 8:
      return signed ? new Int8Array(count) : new Uint8Array(count);
    case 16:
      return signed ? new Int16Array(count) : new Uint16Array(count);
    default:
      return signed ? new Int32Array(count) : new Uint32Array(count);
  }
}

/** Keeps only the Bits Stored bits ending at High Bit and sign-extends them when signed; in place. */
export function reduceToBitsStored(values: StoredPixelArray, attrs: DicomAttributes): void {
  const { bitsStored, bitsAllocated, highBit, pixelRepresentation } = attrs;
  const shift = highBit + 1 - bitsStored;
  if (bitsStored >= bitsAllocated && shift === 0) return;
  const signed = pixelRepresentation === 1;
  const range = 2 ** bitsStored;
  const half = range / 2;
  for (let i = 0; i < values.length; i++) {
    // Work on the unsigned bit pattern; divisions keep this exact for 32-bit values.
    let raw = values[i]!;
    if (raw < 0) raw += 2 ** bitsAllocated;
    let v = Math.floor(raw / 2 ** shift) % range;
    if (signed && v >= half) v -= range;
    values[i] = v;
  }
}

/** Sign-extends unsigned codec output of a signed image from Bits Stored; in place. */
export function signExtend(values: StoredPixelArray, bitsStored: number): void {
  const range = 2 ** bitsStored;
  const half = range / 2;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! % range;
    values[i] = v >= half ? v - range : v;
  }
}
