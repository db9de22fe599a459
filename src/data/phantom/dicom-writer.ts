/**
 * A minimal DICOM Part 10 writer for the phantom's 8-bit greyscale radiographs: preamble, `DICM`, the
 * group 0002 file meta information, then a Secondary Capture data set in explicit VR little endian,
 * with the pixels either native (1.2.840.10008.1.2.1) or as one encapsulated baseline JPEG fragment
 * (1.2.840.10008.1.2.4.50), as the SIIM-ACR files are stored. Reading belongs to `data/dicom/`.
 */
import { UsageError } from '../../core/errors.js';
import { encodeGreyJpeg } from './jpeg.js';

/** The transfer syntaxes the phantom writes. */
export type PhantomTransferSyntax = 'explicit-le' | 'jpeg-baseline';

/** Transfer syntax UIDs by name. */
export const TRANSFER_SYNTAX_UIDS: Readonly<Record<PhantomTransferSyntax, string>> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'jpeg-baseline': '1.2.840.10008.1.2.4.50',
};

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
// Implementation Class UID under the UUID-derived root 2.25 (fixed for heatcheck's writer).
const IMPLEMENTATION_UID = '2.25.179312340155426101949313367286011874561';

/** What the writer puts in the data set besides the pixels. */
export interface DicomImageAttributes {
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly patientId: string;
  readonly instanceNumber: number;
  /** Free text for the Image Comments, e.g. the generator and seed. */
  readonly comments?: string;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OW', 'SQ', 'UC', 'UR', 'UT', 'UN']);

class DicomBuffer {
  private parts: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** One element in explicit VR little endian; values are padded to even length (UI with NUL, text with space). */
  element(group: number, element: number, vr: string, value: Uint8Array | string | number): void {
    let bytes: Uint8Array;
    if (typeof value === 'string') {
      const padded = value.length % 2 === 0 ? value : value + (vr === 'UI' ? '\0' : ' ');
      bytes = new TextEncoder().encode(padded);
    } else if (typeof value === 'number') {
      bytes = new Uint8Array(vr === 'UL' ? 4 : 2);
      const view = new DataView(bytes.buffer);
      if (vr === 'UL') view.setUint32(0, value, true);
      else view.setUint16(0, value, true);
    } else {
      bytes = value.length % 2 === 0 ? value : concat([value, new Uint8Array(1)]);
    }
    this.push(header(group, element, vr, bytes.length));
    this.push(bytes);
  }

  bytes(): Uint8Array {
    return concat(this.parts);
  }
}

function header(group: number, element: number, vr: string, length: number): Uint8Array {
  const long = LONG_VRS.has(vr);
  const out = new Uint8Array(long ? 12 : 8);
  const view = new DataView(out.buffer);
  view.setUint16(0, group, true);
  view.setUint16(2, element, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, length, true);
  else view.setUint16(6, length, true);
  return out;
}

function item(group: number, element: number, length: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint16(0, group, true);
  view.setUint16(2, element, true);
  view.setUint32(4, length, true);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Writes an 8-bit MONOCHROME2 image (row-major bytes) as a DICOM Part 10 file in the given transfer syntax. */
export function writeDicomImage(
  pixels: Uint8Array,
  width: number,
  height: number,
  attributes: DicomImageAttributes,
  syntax: PhantomTransferSyntax = 'explicit-le',
  jpegQuality = 95,
): Uint8Array {
  if (pixels.length !== width * height) throw new UsageError('dicom-size', `expected ${width * height} pixels, got ${pixels.length}`);
  if (!(syntax in TRANSFER_SYNTAX_UIDS)) throw new UsageError('dicom-syntax', `unknown transfer syntax ${syntax}; expected explicit-le or jpeg-baseline`);
  const syntaxUid = TRANSFER_SYNTAX_UIDS[syntax];

  const meta = new DicomBuffer();
  meta.element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1]));
  meta.element(0x0002, 0x0002, 'UI', SECONDARY_CAPTURE);
  meta.element(0x0002, 0x0003, 'UI', attributes.sopInstanceUid);
  meta.element(0x0002, 0x0010, 'UI', syntaxUid);
  meta.element(0x0002, 0x0012, 'UI', IMPLEMENTATION_UID);
  meta.element(0x0002, 0x0013, 'SH', 'HEATCHECK_1');
  const metaBytes = meta.bytes();

  const data = new DicomBuffer();
  data.element(0x0008, 0x0016, 'UI', SECONDARY_CAPTURE);
  data.element(0x0008, 0x0018, 'UI', attributes.sopInstanceUid);
  data.element(0x0008, 0x0060, 'CS', 'CR');
  data.element(0x0008, 0x0064, 'CS', 'WSD');
  data.element(0x0010, 0x0010, 'PN', 'PHANTOM');
  data.element(0x0010, 0x0020, 'LO', attributes.patientId);
  data.element(0x0018, 0x0015, 'CS', 'CHEST');
  data.element(0x0018, 0x5101, 'CS', 'PA');
  data.element(0x0020, 0x000d, 'UI', attributes.studyInstanceUid);
  data.element(0x0020, 0x000e, 'UI', attributes.seriesInstanceUid);
  data.element(0x0020, 0x0013, 'IS', String(attributes.instanceNumber));
  if (attributes.comments) data.element(0x0020, 0x4000, 'LT', attributes.comments);
  data.element(0x0028, 0x0002, 'US', 1);
  data.element(0x0028, 0x0004, 'CS', 'MONOCHROME2');
  data.element(0x0028, 0x0010, 'US', height);
  data.element(0x0028, 0x0011, 'US', width);
  data.element(0x0028, 0x0030, 'DS', '0.168\\0.168');
  data.element(0x0028, 0x0100, 'US', 8);
  data.element(0x0028, 0x0101, 'US', 8);
  data.element(0x0028, 0x0102, 'US', 7);
  data.element(0x0028, 0x0103, 'US', 0);
  if (syntax === 'jpeg-baseline') {
    data.element(0x0028, 0x2110, 'CS', '01');
    data.element(0x0028, 0x2114, 'CS', 'ISO_10918_1');
    const jpeg = encodeGreyJpeg(pixels, width, height, jpegQuality);
    const fragment = jpeg.length % 2 === 0 ? jpeg : concat([jpeg, new Uint8Array(1)]);
    // Encapsulated pixel data: undefined length, an empty basic offset table, one fragment, a delimiter.
    data.push(header(0x7fe0, 0x0010, 'OB', 0xffffffff));
    data.push(item(0xfffe, 0xe000, 0));
    data.push(item(0xfffe, 0xe000, fragment.length));
    data.push(fragment);
    data.push(item(0xfffe, 0xe0dd, 0));
  } else {
    data.element(0x7fe0, 0x0010, 'OB', pixels);
  }

  const groupLength = new DicomBuffer();
  groupLength.element(0x0002, 0x0000, 'UL', metaBytes.length);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128); // "DICM"
  return concat([preamble, groupLength.bytes(), metaBytes, data.bytes()]);
}
