/**
 * DICOM RLE Lossless (PS3.5 annex G): a 64-byte header of segment offsets, one PackBits-style segment
 * per byte plane (most significant byte first, one set per sample). Written here: it is a few lines.
 */

/**
 * Decodes one RLE frame into `out` (interleaved samples) at `outOffset`; values are assembled as unsigned
 * bit patterns (a signed output array wraps them to two's complement). Throws plain Errors on corrupt data.
 */
export function decodeRleFrame(
  frame: Uint8Array,
  rows: number,
  columns: number,
  samples: number,
  bytesPerSample: number,
  out: { length: number; [index: number]: number },
  outOffset: number,
): void {
  if (frame.length < 64) throw new Error(`RLE header needs 64 bytes, found ${frame.length}`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const expected = samples * bytesPerSample;
  if (segments !== expected) throw new Error(`RLE header lists ${segments} segments, expected ${expected}`);
  const pixels = rows * columns;
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || start > end || end > frame.length) throw new Error(`RLE segment ${s + 1} has bad offsets ${start}-${end}`);
    unpackSegment(frame, start, end, plane, s + 1);
    const sample = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    const factor = 2 ** shift;
    for (let i = 0, o = outOffset + sample; i < pixels; i++, o += samples) {
      const byte = plane[i]!;
      if (byte) out[o] = out[o]! + byte * factor;
    }
  }
}

function unpackSegment(src: Uint8Array, start: number, end: number, plane: Uint8Array, index: number): void {
  let p = start;
  let o = 0;
  const n = plane.length;
  while (o < n && p < end) {
    const header = src[p++]!;
    if (header < 128) {
      const count = header + 1;
      if (p + count > end) throw new Error(`RLE segment ${index} literal run runs past the segment end`);
      // A run past the plane end (an encoder's padding) is clipped.
      const kept = Math.min(count, n - o);
      plane.set(src.subarray(p, p + kept), o);
      p += count;
      o += kept;
    } else if (header > 128) {
      const count = 257 - header;
      if (p >= end) throw new Error(`RLE segment ${index} replicate run runs past the segment end`);
      const kept = Math.min(count, n - o);
      plane.fill(src[p++]!, o, o + kept);
      o += kept;
    }
  }
  if (o < n) throw new Error(`RLE segment ${index} decodes to ${o} bytes, expected ${n}`);
}
