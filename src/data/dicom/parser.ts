/**
 * DICOM Part 10 parsing: preamble + "DICM" + file meta group, or a bare data set (implicit or explicit VR
 * little endian) as some archives export. Produces an index of element positions over the bytes
 * (values are read lazily), nested items for the few sequences heatcheck needs, and the fragments of
 * encapsulated pixel data. Every bound is checked so that corrupt input gives a DataError, never a
 * crash, a huge allocation or an endless loop. Written here rather than on dicom-parser so that each
 * failure can name the tag and byte offset it concerns.
 */
import { inflateRawSync } from 'node:zlib';
import { dicomErrors } from './messages.js';
import { describeTag, implicitVr, sequenceTags, Tags, type Tag } from './tags.js';
import { TransferSyntaxes } from './transfer-syntax.js';

/** One fragment (item) of encapsulated pixel data: a byte range in the data set's buffer. */
export interface Fragment {
  readonly offset: number;
  readonly length: number;
}

/** Where one element's value lies; `items` for parsed sequences, `fragments` for encapsulated pixel data. */
export interface ElementRef {
  readonly tag: Tag;
  readonly vr: string;
  readonly offset: number;
  /** Value length in bytes (for encapsulated pixel data: the span up to the sequence delimiter). */
  readonly length: number;
  readonly items?: readonly DataSet[];
  readonly fragments?: readonly Fragment[];
}

const validVrs = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);
const longVrs = new Set('OB OD OF OL OV OW SQ SV UC UN UR UT UV'.split(' '));
const maxDepth = 24;
/** Inflated data sets larger than this are refused (a deflate bomb would otherwise exhaust memory). */
const maxInflatedBytes = 1 << 30;

/** A parsed data set: element positions over `bytes`, read on demand with the data set's byte order. */
export class DataSet {
  /** The buffer the element offsets refer to. */
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly explicitVr: boolean;
  readonly elements: ReadonlyMap<Tag, ElementRef>;
  private readonly view: DataView;
  /** UTF-8 when Specific Character Set says ISO_IR 192; Latin-1 (the default repertoire's superset) otherwise. */
  private utf8 = false;

  constructor(bytes: Uint8Array, littleEndian: boolean, explicitVr: boolean, elements: ReadonlyMap<Tag, ElementRef>) {
    this.bytes = bytes;
    this.littleEndian = littleEndian;
    this.explicitVr = explicitVr;
    this.elements = elements;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Decodes text as UTF-8 from now on when `specificCharacterSet` names ISO_IR 192. */
  useCharacterSet(specificCharacterSet: string | undefined): void {
    this.utf8 = /ISO_IR 192/i.test(specificCharacterSet ?? '');
  }

  /** True when the element is present (even with an empty value). */
  has(t: Tag): boolean {
    return this.elements.has(t);
  }

  /** The element's value as one string (trailing spaces and NULs removed), or undefined when absent or empty. */
  string(t: Tag): string | undefined {
    const e = this.elements.get(t);
    if (!e || e.length === 0 || e.items || e.fragments) return undefined;
    const end = e.offset + e.length;
    let text = '';
    if (this.utf8) text = new TextDecoder('utf-8').decode(this.bytes.subarray(e.offset, end));
    else for (let i = e.offset; i < end; i++) text += String.fromCharCode(this.bytes[i]!);
    const trimmed = text.replace(/[\0 ]+$/, '').replace(/^ +/, '');
    return trimmed.length ? trimmed : undefined;
  }

  /** A multi-valued string element split on backslashes. */
  strings(t: Tag): string[] {
    const s = this.string(t);
    return s === undefined ? [] : s.split('\\').map((v) => v.trim());
  }

  /** The VR of an element: the stored one (explicit VR) or the one heatcheck assumes (implicit VR). */
  vrOf(t: Tag): string | undefined {
    const e = this.elements.get(t);
    if (!e) return undefined;
    return e.vr === 'UN' || !this.explicitVr ? (implicitVr.get(t) ?? e.vr) : e.vr;
  }

  /**
   * Numeric values of an element: binary VRs (US, SS, UL, SL, FL, FD, OW, OB) are read in the data
   * set's byte order; IS and DS are parsed from text. Unparseable text gives NaN entries.
   */
  numbers(t: Tag): number[] {
    const e = this.elements.get(t);
    if (!e || e.items || e.fragments) return [];
    const vr = this.vrOf(t);
    const le = this.littleEndian;
    const out: number[] = [];
    const width = vr === 'US' || vr === 'SS' || vr === 'OW' ? 2 : vr === 'UL' || vr === 'SL' || vr === 'FL' ? 4 : vr === 'FD' ? 8 : vr === 'OB' ? 1 : 0;
    if (width === 0) {
      for (const v of this.strings(t)) out.push(v === '' ? Number.NaN : Number(v));
      return out;
    }
    const count = Math.floor(e.length / width);
    for (let i = 0; i < count; i++) {
      const p = e.offset + i * width;
      switch (vr) {
        case 'US':
        case 'OW':
          out.push(this.view.getUint16(p, le));
          break;
        case 'SS':
          out.push(this.view.getInt16(p, le));
          break;
        case 'UL':
          out.push(this.view.getUint32(p, le));
          break;
        case 'SL':
          out.push(this.view.getInt32(p, le));
          break;
        case 'FL':
          out.push(this.view.getFloat32(p, le));
          break;
        case 'FD':
          out.push(this.view.getFloat64(p, le));
          break;
        default:
          out.push(this.bytes[p]!);
      }
    }
    return out;
  }

  /** The first numeric value, or undefined when absent, empty or not a number. */
  number(t: Tag): number | undefined {
    const v = this.numbers(t)[0];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }

  /** The raw value bytes (a view, not a copy). */
  value(t: Tag): Uint8Array | undefined {
    const e = this.elements.get(t);
    if (!e || e.fragments) return undefined;
    return this.bytes.subarray(e.offset, e.offset + e.length);
  }

  /** The items of a parsed sequence (empty when absent). */
  items(t: Tag): readonly DataSet[] {
    return this.elements.get(t)?.items ?? [];
  }
}

/** A parsed Part 10 file: the meta group (when present), the main data set and its transfer syntax. */
export interface ParsedDicom {
  readonly meta: DataSet | undefined;
  readonly dataset: DataSet;
  readonly transferSyntaxUid: string;
  readonly warnings: readonly string[];
}

interface Mode {
  readonly littleEndian: boolean;
  readonly explicitVr: boolean;
}

/** Parses DICOM bytes up to and including the top-level Pixel Data; `source` names the file in errors. */
export function parseDicom(bytes: Uint8Array, source: string): ParsedDicom {
  const warnings: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hasMagicAt = (p: number): boolean =>
    bytes.length >= p + 4 && bytes[p] === 0x44 && bytes[p + 1] === 0x49 && bytes[p + 2] === 0x43 && bytes[p + 3] === 0x4d;

  let metaStart: number | undefined;
  if (hasMagicAt(128)) metaStart = 132;
  else if (hasMagicAt(0)) metaStart = 4;
  else if (bytes.length >= 8 && view.getUint16(0, true) === 0x0002) metaStart = 0;

  let meta: DataSet | undefined;
  let bodyStart = 0;
  if (metaStart !== undefined) {
    const parsedMeta = parseMeta(bytes, metaStart, source);
    meta = parsedMeta.meta;
    bodyStart = parsedMeta.end;
  } else {
    // A bare data set: accept it only if it starts like one, so random bytes are refused up front.
    if (bytes.length < 8) throw dicomErrors.notDicom(source, `the file is only ${bytes.length} bytes long`);
    const group = view.getUint16(0, true);
    if (group % 2 !== 0 || group < 0x0002 || group > 0x0028) {
      throw dicomErrors.notDicom(source, `the first bytes are not a DICOM element (group 0x${group.toString(16).padStart(4, '0')})`);
    }
    warnings.push('no preamble or file meta header: read as a bare data set');
  }

  let uid = meta?.string(Tags.TransferSyntaxUID)?.replace(/\0/g, '').trim();
  let mode: Mode;
  if (uid === undefined) {
    const explicit = bodyStart + 6 <= bytes.length && validVrs.has(String.fromCharCode(bytes[bodyStart + 4]!, bytes[bodyStart + 5]!));
    uid = explicit ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2';
    mode = { littleEndian: true, explicitVr: explicit };
    if (meta) warnings.push(`file meta header has no Transfer Syntax UID: guessed ${explicit ? 'explicit' : 'implicit'} VR little endian`);
  } else {
    const ts = TransferSyntaxes.get(uid);
    // Unknown (e.g. private or video) syntaxes: parse as explicit LE, which every encapsulated syntax uses;
    // the pixel decoder then refuses them with the syntax named.
    mode = { littleEndian: ts?.littleEndian ?? true, explicitVr: ts?.explicitVr ?? true };
  }

  let body = bytes;
  if (uid === '1.2.840.10008.1.2.1.99') {
    try {
      const inflated = inflateRawSync(bytes.subarray(bodyStart), { maxOutputLength: maxInflatedBytes });
      body = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
    } catch (error) {
      throw dicomErrors.malformed(source, undefined, `deflated data set cannot be inflated (${(error as Error).message})`);
    }
    bodyStart = 0;
  }
  const elements = new Map<Tag, ElementRef>();
  const parser = new Parser(body, source, warnings);
  parser.parse(bodyStart, body.length, mode, elements, 0, true, false);
  const dataset = new DataSet(body, mode.littleEndian, mode.explicitVr, elements);
  dataset.useCharacterSet(dataset.string(Tags.SpecificCharacterSet));
  return { meta, dataset, transferSyntaxUid: uid, warnings };
}

function parseMeta(bytes: Uint8Array, start: number, source: string): { meta: DataSet; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The meta group is always explicit VR little endian; read elements while the group is 0002.
  let pos = start;
  while (pos + 4 <= bytes.length && view.getUint16(pos, true) === 0x0002) {
    if (pos + 8 > bytes.length) throw dicomErrors.truncated(source, undefined, `file meta header cut off at byte ${pos}`);
    const vr = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!);
    let length: number;
    let header: number;
    if (!validVrs.has(vr)) {
      length = view.getUint32(pos + 4, true);
      header = 8;
    } else if (longVrs.has(vr)) {
      if (pos + 12 > bytes.length) throw dicomErrors.truncated(source, undefined, `file meta header cut off at byte ${pos}`);
      length = view.getUint32(pos + 8, true);
      header = 12;
    } else {
      length = view.getUint16(pos + 6, true);
      header = 8;
    }
    const t = ((0x0002 << 16) | view.getUint16(pos + 2, true)) >>> 0;
    if (length === 0xffffffff || pos + header + length > bytes.length) {
      throw dicomErrors.truncated(source, t, `file meta element of ${length} bytes at byte ${pos} runs past the end of the file (${bytes.length} bytes)`);
    }
    pos += header + length;
  }
  const elements = new Map<Tag, ElementRef>();
  new Parser(bytes, source, []).parse(start, pos, { littleEndian: true, explicitVr: true }, elements, 0, false, false);
  return { meta: new DataSet(bytes, true, true, elements), end: pos };
}

class Parser {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
    private readonly warnings: string[],
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private u16(p: number, le: boolean): number {
    return this.view.getUint16(p, le);
  }

  private u32(p: number, le: boolean): number {
    return this.view.getUint32(p, le);
  }

  /**
   * Parses elements in [start, end) into `out`. In an undefined-length item (`inItem`) it stops after the
   * item delimiter and returns the position after it; at the top level it stops after Pixel Data.
   */
  parse(start: number, end: number, mode: Mode, out: Map<Tag, ElementRef>, depth: number, topLevel: boolean, inItem: boolean): number {
    if (depth > maxDepth) throw dicomErrors.malformed(this.source, undefined, `sequences nested more than ${maxDepth} deep`);
    const le = mode.littleEndian;
    let pos = start;
    while (pos < end) {
      if (pos + 8 > end) {
        if (topLevel) {
          this.warnings.push(`${end - pos} trailing bytes after the last element ignored`);
          return end;
        }
        throw dicomErrors.truncated(this.source, undefined, `element header at byte ${pos} cut off`);
      }
      const t = ((this.u16(pos, le) << 16) | this.u16(pos + 2, le)) >>> 0;
      if (t === Tags.ItemDelimitation) {
        if (inItem) return pos + 8;
        throw dicomErrors.malformed(this.source, t, `item delimiter outside an item at byte ${pos}`);
      }
      if (t === Tags.Item || t === Tags.SequenceDelimitation) {
        throw dicomErrors.malformed(this.source, t, `item tag outside a sequence at byte ${pos}`);
      }
      let vr: string;
      let length: number;
      let header: number;
      if (mode.explicitVr) {
        vr = String.fromCharCode(this.bytes[pos + 4]!, this.bytes[pos + 5]!);
        if (!validVrs.has(vr)) {
          throw dicomErrors.malformed(this.source, t, `invalid value representation "${printable(vr)}" at byte ${pos + 4}`);
        }
        if (longVrs.has(vr)) {
          if (pos + 12 > end) throw dicomErrors.truncated(this.source, t, `element header at byte ${pos} cut off`);
          length = this.u32(pos + 8, le);
          header = 12;
        } else {
          length = this.u16(pos + 6, le);
          header = 8;
        }
      } else {
        vr = implicitVr.get(t) ?? 'UN';
        length = this.u32(pos + 4, le);
        header = 8;
      }
      const valueStart = pos + header;
      const isPixelData = topLevel && t === Tags.PixelData;
      if (length === 0xffffffff) {
        if (isPixelData) {
          const { fragments, next } = this.fragments(valueStart, end, le);
          out.set(t, { tag: t, vr, offset: valueStart, length: next - valueStart, fragments });
          return next;
        }
        if (vr !== 'SQ' && vr !== 'UN' && mode.explicitVr) {
          throw dicomErrors.malformed(this.source, t, `undefined length on a ${vr} element at byte ${pos}`);
        }
        // An undefined-length UN element holds an implicit VR little endian sequence.
        const inner: Mode = vr === 'UN' && mode.explicitVr ? { littleEndian: true, explicitVr: false } : mode;
        const keep = sequenceTags.has(t);
        const { items, next } = this.sequence(valueStart, end, inner, depth, undefined, keep);
        out.set(t, { tag: t, vr: 'SQ', offset: valueStart, length: next - valueStart, ...(keep ? { items } : {}) });
        pos = next;
        continue;
      }
      if (valueStart + length > end) {
        const what = isPixelData ? 'Pixel Data' : `value of ${describeTag(t)}`;
        throw dicomErrors.truncated(
          this.source,
          t,
          `${what} declares ${length} bytes at byte ${valueStart} but only ${Math.max(0, end - valueStart)} remain`,
        );
      }
      if (sequenceTags.has(t) && (vr === 'SQ' || vr === 'UN' || !mode.explicitVr)) {
        const inner: Mode = vr === 'UN' && mode.explicitVr ? { littleEndian: true, explicitVr: false } : mode;
        const { items } = this.sequence(valueStart, valueStart + length, inner, depth, length, true);
        out.set(t, { tag: t, vr: 'SQ', offset: valueStart, length, items });
      } else {
        out.set(t, { tag: t, vr, offset: valueStart, length });
      }
      pos = valueStart + length;
      if (isPixelData) return pos;
    }
    if (inItem) throw dicomErrors.truncated(this.source, undefined, 'an item of undefined length has no item delimiter');
    return pos;
  }

  /** Walks a sequence's items; `definedLength` bounds it, otherwise it ends at the sequence delimiter. */
  private sequence(
    start: number,
    end: number,
    mode: Mode,
    depth: number,
    definedLength: number | undefined,
    keep: boolean,
  ): { items: DataSet[]; next: number } {
    const le = mode.littleEndian;
    const items: DataSet[] = [];
    let pos = start;
    for (;;) {
      if (definedLength !== undefined && pos >= end) return { items, next: end };
      if (pos + 8 > end) throw dicomErrors.truncated(this.source, undefined, `sequence item at byte ${pos} cut off`);
      const t = ((this.u16(pos, le) << 16) | this.u16(pos + 2, le)) >>> 0;
      const length = this.u32(pos + 4, le);
      if (t === Tags.SequenceDelimitation) {
        if (definedLength === undefined) return { items, next: pos + 8 };
        pos += 8;
        continue;
      }
      if (t !== Tags.Item) throw dicomErrors.malformed(this.source, t, `expected a sequence item at byte ${pos}`);
      const elements = new Map<Tag, ElementRef>();
      if (length === 0xffffffff) {
        pos = this.parse(pos + 8, end, mode, elements, depth + 1, false, true);
      } else {
        if (pos + 8 + length > end) {
          throw dicomErrors.truncated(this.source, undefined, `sequence item of ${length} bytes at byte ${pos} runs past its end`);
        }
        if (keep) this.parse(pos + 8, pos + 8 + length, mode, elements, depth + 1, false, false);
        pos += 8 + length;
      }
      if (keep) items.push(new DataSet(this.bytes, mode.littleEndian, mode.explicitVr, elements));
    }
  }

  /** The items of encapsulated pixel data (the first is the basic offset table) up to the delimiter. */
  private fragments(start: number, end: number, le: boolean): { fragments: Fragment[]; next: number } {
    const fragments: Fragment[] = [];
    let pos = start;
    while (pos + 8 <= end) {
      const t = ((this.u16(pos, le) << 16) | this.u16(pos + 2, le)) >>> 0;
      const length = this.u32(pos + 4, le);
      if (t === Tags.SequenceDelimitation) return { fragments, next: pos + 8 };
      if (t !== Tags.Item) {
        throw dicomErrors.malformed(this.source, Tags.PixelData, `expected a pixel data fragment (FFFE,E000) at byte ${pos}, found ${describeTag(t)}`);
      }
      if (length === 0xffffffff || pos + 8 + length > end) {
        throw dicomErrors.truncated(
          this.source,
          Tags.PixelData,
          `pixel data fragment ${fragments.length} declares ${length === 0xffffffff ? 'an undefined length' : `${length} bytes`} at byte ${pos + 8} but only ${end - pos - 8} remain`,
        );
      }
      fragments.push({ offset: pos + 8, length });
      pos += 8 + length;
    }
    if (fragments.length === 0) throw dicomErrors.truncated(this.source, Tags.PixelData, 'encapsulated pixel data has no items');
    this.warnings.push('encapsulated pixel data has no sequence delimiter (file may be truncated)');
    return { fragments, next: end };
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
