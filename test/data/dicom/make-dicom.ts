/** A small DICOM writer for tests: builds Part 10 files (or bare data sets) from element lists. */
import { deflateRawSync } from 'node:zlib';

/** One element: a string, numbers (encoded per VR), raw bytes, sequence items or encapsulated fragments. */
export interface TestElement {
  readonly tag: number;
  readonly vr: string;
  readonly value?: string | readonly number[] | Uint8Array;
  readonly items?: readonly (readonly TestElement[])[];
  /** Encapsulated pixel data: the basic offset table contents (offsets) and fragments. */
  readonly fragments?: readonly Uint8Array[];
  readonly offsets?: readonly number[];
}

export interface WriteOptions {
  readonly transferSyntax?: string;
  readonly preamble?: boolean;
  readonly meta?: boolean;
}

const longVrs = new Set('OB OD OF OL OV OW SQ SV UC UN UR UT UV'.split(' '));
const IMPLICIT = '1.2.840.10008.1.2';
const BIG = '1.2.840.10008.1.2.2';
const DEFLATE = '1.2.840.10008.1.2.1.99';

class Out {
  chunks: number[] = [];
  constructor(readonly le: boolean) {}
  u16(v: number): void {
    if (this.le) this.chunks.push(v & 0xff, (v >> 8) & 0xff);
    else this.chunks.push((v >> 8) & 0xff, v & 0xff);
  }
  u32(v: number): void {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.chunks.push(...(this.le ? b : b.reverse()));
  }
  bytes(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.chunks.push(b[i]!);
  }
}

function valueBytes(e: TestElement, le: boolean): number[] {
  const v = e.value;
  if (v === undefined) return [];
  if (typeof v === 'string') {
    const b = Array.from(v, (c) => c.charCodeAt(0));
    if (b.length % 2) b.push(e.vr === 'UI' ? 0 : 0x20);
    return b;
  }
  if (v instanceof Uint8Array) {
    const b = Array.from(v);
    if (b.length % 2) b.push(0);
    return b;
  }
  const o = new Out(le);
  for (const n of v) {
    if (e.vr === 'US' || e.vr === 'SS' || e.vr === 'OW') o.u16(n & 0xffff);
    else if (e.vr === 'UL' || e.vr === 'SL') o.u32(n >>> 0);
    else throw new Error(`numbers for VR ${e.vr}`);
  }
  return o.chunks;
}

function writeElements(out: Out, elements: readonly TestElement[], explicit: boolean): void {
  for (const e of [...elements].sort((a, b) => a.tag - b.tag)) {
    out.u16(e.tag >>> 16);
    out.u16(e.tag & 0xffff);
    const header = (length: number): void => {
      if (explicit) {
        out.bytes([e.vr.charCodeAt(0), e.vr.charCodeAt(1)]);
        if (longVrs.has(e.vr)) {
          out.u16(0);
          out.u32(length);
        } else out.u16(length);
      } else out.u32(length);
    };
    if (e.fragments) {
      header(0xffffffff);
      const item = (bytes: ArrayLike<number>): void => {
        out.u16(0xfffe);
        out.u16(0xe000);
        out.u32(bytes.length);
        out.bytes(bytes);
      };
      const table = new Out(true);
      for (const o of e.offsets ?? []) table.u32(o);
      item(table.chunks);
      for (const f of e.fragments) item(f.length % 2 ? Uint8Array.from([...f, 0]) : f);
      out.u16(0xfffe);
      out.u16(0xe0dd);
      out.u32(0);
    } else if (e.items) {
      const body = new Out(out.le);
      for (const item of e.items) {
        const inner = new Out(out.le);
        writeElements(inner, item, explicit);
        body.u16(0xfffe);
        body.u16(0xe000);
        body.u32(inner.chunks.length);
        body.bytes(inner.chunks);
      }
      header(body.chunks.length);
      out.bytes(body.chunks);
    } else {
      const b = valueBytes(e, out.le);
      header(b.length);
      out.bytes(b);
    }
  }
}

/** Writes a DICOM file: preamble + DICM + meta (explicit LE), then the data set in the transfer syntax. */
export function writeDicom(elements: readonly TestElement[], options: WriteOptions = {}): Uint8Array {
  const ts = options.transferSyntax ?? '1.2.840.10008.1.2.1';
  const parts: ArrayLike<number>[] = [];
  if (options.preamble ?? true) parts.push(new Uint8Array(128), [0x44, 0x49, 0x43, 0x4d]);
  if (options.meta ?? true) {
    const metaBody = new Out(true);
    writeElements(metaBody, [{ tag: 0x00020010, vr: 'UI', value: ts }], true);
    const meta = new Out(true);
    writeElements(meta, [{ tag: 0x00020000, vr: 'UL', value: [metaBody.chunks.length] }], true);
    parts.push(meta.chunks, metaBody.chunks);
  }
  const body = new Out(ts !== BIG);
  writeElements(body, elements, ts !== IMPLICIT);
  parts.push(ts === DEFLATE ? deflateRawSync(Uint8Array.from(body.chunks)) : body.chunks);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The image-module elements for a simple image. */
export function imageElements(o: {
  rows: number;
  columns: number;
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  signed?: boolean;
  samples?: number;
  photometric?: string;
  frames?: number;
  planar?: number;
  extra?: TestElement[];
}): TestElement[] {
  const ba = o.bitsAllocated ?? 16;
  const bs = o.bitsStored ?? ba;
  const samples = o.samples ?? 1;
  return [
    { tag: 0x00080060, vr: 'CS', value: 'DX' },
    { tag: 0x00100010, vr: 'PN', value: 'Doe^Jane' },
    { tag: 0x00100020, vr: 'LO', value: 'PID-123' },
    { tag: 0x00080020, vr: 'DA', value: '20200101' },
    { tag: 0x00280002, vr: 'US', value: [samples] },
    { tag: 0x00280004, vr: 'CS', value: o.photometric ?? (samples === 3 ? 'RGB' : 'MONOCHROME2') },
    ...(o.frames !== undefined ? [{ tag: 0x00280008, vr: 'IS', value: String(o.frames) }] : []),
    ...(samples === 3 ? [{ tag: 0x00280006, vr: 'US', value: [o.planar ?? 0] }] : []),
    { tag: 0x00280010, vr: 'US', value: [o.rows] },
    { tag: 0x00280011, vr: 'US', value: [o.columns] },
    { tag: 0x00280100, vr: 'US', value: [ba] },
    { tag: 0x00280101, vr: 'US', value: [bs] },
    { tag: 0x00280102, vr: 'US', value: [o.highBit ?? bs - 1] },
    { tag: 0x00280103, vr: 'US', value: [o.signed ? 1 : 0] },
    ...(o.extra ?? []),
  ];
}

/** Little-endian bytes of values at 8, 16 or 32 bits. */
export function pixelBytes(values: readonly number[], bits: 8 | 16 | 32): Uint8Array {
  const out = new Uint8Array(values.length * (bits / 8));
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (bits === 8) out[i] = v & 0xff;
    else if (bits === 16) view.setUint16(2 * i, v & 0xffff, true);
    else view.setUint32(4 * i, v >>> 0, true);
  });
  return out;
}

/** DICOM RLE (PackBits) encoding of one frame, byte planes most significant first, per sample. */
export function encodeRle(values: readonly number[], samples: number, bytesPerSample: number): Uint8Array {
  const pixels = values.length / samples;
  const segments: number[][] = [];
  for (let s = 0; s < samples; s++) {
    for (let b = bytesPerSample - 1; b >= 0; b--) {
      const plane = Array.from({ length: pixels }, (_, i) => (values[i * samples + s]! >>> (8 * b)) & 0xff);
      const seg: number[] = [];
      let i = 0;
      while (i < plane.length) {
        let run = 1;
        while (i + run < plane.length && plane[i + run] === plane[i] && run < 128) run++;
        if (run >= 2) {
          seg.push(257 - run, plane[i]!);
          i += run;
        } else {
          let lit = 1;
          while (i + lit < plane.length && lit < 128 && plane[i + lit] !== plane[i + lit - 1]) lit++;
          seg.push(lit - 1, ...plane.slice(i, i + lit));
          i += lit;
        }
      }
      if (seg.length % 2) seg.push(128); // no-op padding
      segments.push(seg);
    }
  }
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((seg, i) => {
    view.setUint32(4 + 4 * i, offset, true);
    offset += seg.length;
  });
  return Uint8Array.from([...header, ...segments.flat()]);
}
