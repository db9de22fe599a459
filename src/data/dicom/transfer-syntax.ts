/**
 * The transfer syntaxes heatcheck knows: how the data set is encoded and which pixel codec applies.
 */

/** How pixel data of a transfer syntax is stored. */
export type PixelEncoding =
  | 'native'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000'
  | 'unsupported';

/** Facts about one transfer syntax. */
export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  readonly littleEndian: boolean;
  readonly explicitVr: boolean;
  readonly encoding: PixelEncoding;
  /** True when the codec may discard information (values may differ from the original by a few units). */
  readonly lossy: boolean;
}

const table: readonly TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', littleEndian: true, explicitVr: false, encoding: 'native', lossy: false },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', littleEndian: true, explicitVr: true, encoding: 'native', lossy: false },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', littleEndian: true, explicitVr: true, encoding: 'native', lossy: false },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', littleEndian: false, explicitVr: true, encoding: 'native', lossy: false },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', littleEndian: true, explicitVr: true, encoding: 'rle', lossy: false },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', littleEndian: true, explicitVr: true, encoding: 'jpeg-baseline', lossy: true },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', littleEndian: true, explicitVr: true, encoding: 'jpeg-extended', lossy: true },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless, Non-Hierarchical (Process 14)', littleEndian: true, explicitVr: true, encoding: 'jpeg-lossless', lossy: false },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])', littleEndian: true, explicitVr: true, encoding: 'jpeg-lossless', lossy: false },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', littleEndian: true, explicitVr: true, encoding: 'jpeg-ls', lossy: false },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Lossy (Near-Lossless)', littleEndian: true, explicitVr: true, encoding: 'jpeg-ls', lossy: true },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 (Lossless Only)', littleEndian: true, explicitVr: true, encoding: 'jpeg-2000', lossy: false },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', littleEndian: true, explicitVr: true, encoding: 'jpeg-2000', lossy: true },
  // Known but not decodable here: named so the error says what the file is.
  { uid: '1.2.840.10008.1.2.4.52', name: 'JPEG Extended (Process 3 & 5, retired)', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: true },
  { uid: '1.2.840.10008.1.2.4.55', name: 'JPEG Full Progression (retired)', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: true },
  { uid: '1.2.840.10008.1.2.4.100', name: 'MPEG2 Main Profile', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: true },
  { uid: '1.2.840.10008.1.2.4.102', name: 'MPEG-4 AVC/H.264', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: true },
  { uid: '1.2.840.10008.1.2.4.201', name: 'High-Throughput JPEG 2000 (Lossless Only)', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: false },
  { uid: '1.2.840.10008.1.2.4.202', name: 'High-Throughput JPEG 2000 with RPCL (Lossless Only)', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: false },
  { uid: '1.2.840.10008.1.2.4.203', name: 'High-Throughput JPEG 2000', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: true },
  { uid: '1.2.840.10008.1.2.4.110', name: 'JPEG XL Lossless', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: false },
  { uid: '1.2.840.10008.1.2.4.112', name: 'JPEG XL', littleEndian: true, explicitVr: true, encoding: 'unsupported', lossy: true },
];

/** Transfer syntaxes by UID. */
export const TransferSyntaxes: ReadonlyMap<string, TransferSyntax> = new Map(table.map((t) => [t.uid, t]));

/** UIDs of the transfer syntaxes heatcheck decodes. */
export const supportedTransferSyntaxes: readonly string[] = table.filter((t) => t.encoding !== 'unsupported').map((t) => t.uid);
