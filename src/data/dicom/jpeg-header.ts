/**
 * Reads the frame header of JPEG, JPEG-LS and JPEG 2000 codestreams without decoding them, so that the
 * reader can pick a decoder and refuse a codestream whose size disagrees with the DICOM attributes
 * before any WASM decoder allocates memory for it.
 */

/** What a codestream's frame header says. */
export interface CodestreamInfo {
  /** The start-of-frame marker (0xFFC0-0xFFCF, 0xFFF7 for JPEG-LS) or 0xFF51 (JPEG 2000 SIZ). */
  readonly marker: number;
  readonly precision: number;
  readonly width: number;
  readonly height: number;
  readonly components: number;
  /** JPEG 2000 only: whether the first component is signed. */
  readonly signed: boolean;
}

/** Scans a JPEG or JPEG-LS stream's markers up to the first start-of-frame; undefined when none is found. */
export function readJpegFrameHeader(data: Uint8Array): CodestreamInfo | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let pos = 2;
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) return undefined;
    const marker = 0xff00 | data[pos + 1]!;
    if (marker === 0xffff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0xffd8 || (marker >= 0xffd0 && marker <= 0xffd7) || marker === 0xff01) {
      pos += 2;
      continue;
    }
    const length = (data[pos + 2]! << 8) | data[pos + 3]!;
    const isSof = (marker >= 0xffc0 && marker <= 0xffcf && marker !== 0xffc4 && marker !== 0xffc8 && marker !== 0xffcc) || marker === 0xfff7;
    if (isSof) {
      if (pos + 10 > data.length) return undefined;
      return {
        marker,
        precision: data[pos + 4]!,
        height: (data[pos + 5]! << 8) | data[pos + 6]!,
        width: (data[pos + 7]! << 8) | data[pos + 8]!,
        components: data[pos + 9]!,
        signed: false,
      };
    }
    if (marker === 0xffda || marker === 0xffd9 || length < 2) return undefined;
    pos += 2 + length;
  }
  return undefined;
}

/**
 * Finds the JPEG 2000 codestream (a raw J2K stream, or the `jp2c` box of a JP2 file) and reads its SIZ
 * marker. Returns the codestream's offset in `data` with the header, or undefined when there is none.
 */
export function readJ2kHeader(data: Uint8Array): { offset: number; info: CodestreamInfo } | undefined {
  let offset = 0;
  if (data.length >= 12 && data[4] === 0x6a && data[5] === 0x50 && data[6] === 0x20 && data[7] === 0x20) {
    // JP2 boxes: length (4), type (4); find jp2c.
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let pos = 0;
    let found = -1;
    while (pos + 8 <= data.length) {
      let length = view.getUint32(pos);
      const type = String.fromCharCode(data[pos + 4]!, data[pos + 5]!, data[pos + 6]!, data[pos + 7]!);
      let header = 8;
      if (length === 1 && pos + 16 <= data.length) {
        length = view.getUint32(pos + 12);
        header = 16;
      }
      if (type === 'jp2c') {
        found = pos + header;
        break;
      }
      if (length < header) return undefined;
      pos += length;
    }
    if (found < 0) return undefined;
    offset = found;
  }
  const d = data.subarray(offset);
  if (d.length < 42 || d[0] !== 0xff || d[1] !== 0x4f || d[2] !== 0xff || d[3] !== 0x51) return undefined;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const xsiz = view.getUint32(8);
  const ysiz = view.getUint32(12);
  const xosiz = view.getUint32(16);
  const yosiz = view.getUint32(20);
  const components = view.getUint16(40);
  if (d.length < 42 + 3) return undefined;
  const ssiz = d[42]!;
  return {
    offset,
    info: {
      marker: 0xff51,
      precision: (ssiz & 0x7f) + 1,
      width: xsiz - xosiz,
      height: ysiz - yosiz,
      components,
      signed: (ssiz & 0x80) !== 0,
    },
  };
}
