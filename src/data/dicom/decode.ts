/**
 * `decodeDicom`: DICOM bytes to stored pixel values (frames x rows x columns x samples, before any
 * rescale) with the image attributes, for every transfer syntax heatcheck supports.
 */
import { DataError } from '../../core/errors.js';
import { readAttributes, type DicomAttributes } from './attributes.js';
import { decodeJ2k, decodeJpeg8, decodeJpegLossless, decodeJpegLs, describeThrown, type CodecImage } from './codecs.js';
import { decodeJpegDct } from './jpeg-dct.js';
import { readJ2kHeader, readJpegFrameHeader, type CodestreamInfo } from './jpeg-header.js';
import { dicomErrors } from './messages.js';
import { decodeNative } from './native.js';
import { parseDicom, type Fragment, type ParsedDicom } from './parser.js';
import { decodeRleFrame } from './rle.js';
import { allocateStored, reduceToBitsStored, signExtend, type StoredPixelArray } from './stored-values.js';
import { Tags } from './tags.js';
import { TransferSyntaxes, type PixelEncoding } from './transfer-syntax.js';

/** What `decodeDicom` returns: stored values, their shape, the attributes and what the reader noticed. */
export interface DecodedDicom {
  /**
   * Stored values, row-major over `shape`; samples interleaved last. Float32 for Float Pixel Data
   * (7FE0,0008), which parametric maps carry (heatcheck's own DICOM export among them).
   */
  readonly pixels: StoredPixelArray | Float32Array;
  readonly shape: readonly [frames: number, rows: number, columns: number, samples: number];
  readonly attributes: DicomAttributes;
  /** Colour space of `pixels`: the Photometric Interpretation, or `RGB` when a codec converted YBR to RGB. */
  readonly colorSpace: string;
  /** True when the transfer syntax (or Lossy Image Compression) says values may differ from the original. */
  readonly lossy: boolean;
  readonly warnings: readonly string[];
}

/** Options of `decodeDicom`. */
export interface DecodeDicomOptions {
  /** Names the data in error messages (a path); default `<bytes>`. */
  readonly source?: string;
  /** Decode at most this many frames (default: all). `readImage` uses 1. */
  readonly maxFrames?: number;
}

/** Decoded output larger than this is refused rather than allocated (512 MiB of 16-bit samples; a 4k x 5k mammogram is 20M). */
const maxSamples = 2 ** 28;

/**
 * Decodes DICOM Part 10 bytes (or a bare implicit/explicit little-endian data set) to the stored pixel
 * values exactly as stored, before rescale, VOI or photometric handling. Throws a DataError naming the
 * file and tag for truncated or corrupt data, missing pixel data and unsupported transfer syntaxes.
 */
export async function decodeDicom(bytes: Uint8Array, options: DecodeDicomOptions = {}): Promise<DecodedDicom> {
  const source = options.source ?? '<bytes>';
  try {
    return await decode(bytes, source, options.maxFrames);
  } catch (error) {
    if (error instanceof DataError) throw error;
    // Anything else is a bug or a pathological input we did not foresee: still report it as bad data.
    throw dicomErrors.malformed(source, undefined, `unexpected failure while reading (${describeThrown(error)})`);
  }
}

/**
 * Reads the attributes of DICOM bytes without decoding pixels (the header of a source image, e.g. its
 * UIDs and size for a derived object that references it). Throws DataErrors as `decodeDicom` does.
 */
export function readDicomAttributes(bytes: Uint8Array, options: Pick<DecodeDicomOptions, 'source'> = {}): { readonly attributes: DicomAttributes; readonly warnings: readonly string[] } {
  const source = options.source ?? '<bytes>';
  try {
    const parsed = parseDicom(bytes, source);
    const warnings = [...parsed.warnings];
    return { attributes: readAttributes(parsed, source, warnings), warnings };
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw dicomErrors.malformed(source, undefined, `unexpected failure while reading (${describeThrown(error)})`);
  }
}

async function decode(bytes: Uint8Array, source: string, maxFrames: number | undefined): Promise<DecodedDicom> {
  const parsed = parseDicom(bytes, source);
  const warnings = [...parsed.warnings];
  const ds = parsed.dataset;
  const pixelElement = ds.elements.get(Tags.PixelData);
  if (!pixelElement) {
    if (ds.has(Tags.FloatPixelData)) return decodeFloat(parsed, source, maxFrames, warnings);
    if (ds.has(Tags.DoubleFloatPixelData)) throw dicomErrors.floatPixelData(source, Tags.DoubleFloatPixelData);
    throw dicomErrors.noPixelData(source, ds.string(Tags.Modality));
  }
  const attrs = readAttributes(parsed, source, warnings);
  const { ts, encoding, frames, perFrame, lossy, shape } = layoutOf(parsed, attrs, source, maxFrames);

  if (encoding === 'native') {
    if (pixelElement.fragments) throw dicomErrors.malformed(source, Tags.PixelData, 'encapsulated pixel data in an uncompressed transfer syntax');
    const value = ds.bytes.subarray(pixelElement.offset, pixelElement.offset + pixelElement.length);
    const pixels = decodeNative(value, attrs, frames, ds.littleEndian, source, warnings);
    return { pixels, shape, attributes: attrs, colorSpace: attrs.photometricInterpretation === 'YBR_FULL_422' ? 'YBR_FULL' : attrs.photometricInterpretation, lossy, warnings };
  }

  if (!pixelElement.fragments) {
    throw dicomErrors.malformed(source, Tags.PixelData, `${ts?.name ?? 'compressed'} pixel data must be encapsulated (undefined length), found a plain value`);
  }
  const frameData = splitFrames(ds.bytes, pixelElement.fragments, attrs.numberOfFrames, encoding, source, warnings);
  const pixels = allocateStored(attrs, perFrame * frames);
  let colorSpace = attrs.photometricInterpretation;
  for (let f = 0; f < frames; f++) {
    const encoded = frameData[f]!;
    if (encoding === 'rle') {
      if (attrs.bitsAllocated === 1) throw dicomErrors.unsupportedPixelFormat(source, Tags.BitsAllocated, 'RLE with 1 bit allocated');
      try {
        decodeRleFrame(encoded, attrs.rows, attrs.columns, attrs.samplesPerPixel, attrs.bitsAllocated / 8, pixels, f * perFrame);
      } catch (error) {
        throw dicomErrors.corruptCodestream(source, 'RLE', describeThrown(error), f);
      }
      continue;
    }
    const image = await decodeCodestream(encoded, encoding, attrs, source, f, warnings);
    if (image.components === 3 && image.rgb) colorSpace = 'RGB';
    const target = pixels.subarray(f * perFrame, (f + 1) * perFrame);
    target.set(image.data.subarray(0, perFrame)); // converts between array types element by element
    if (attrs.pixelRepresentation === 1 && !image.signed) signExtend(target, attrs.bitsStored);
  }
  if (encoding === 'rle') reduceToBitsStored(pixels, attrs);
  return { pixels, shape, attributes: attrs, colorSpace: colorSpace === 'YBR_FULL_422' ? 'YBR_FULL' : colorSpace, lossy, warnings };
}

/** Transfer syntax, frames to decode and their size; refuses unsupported syntaxes and oversized images. */
function layoutOf(parsed: ParsedDicom, attrs: DicomAttributes, source: string, maxFrames: number | undefined) {
  const ts = TransferSyntaxes.get(parsed.transferSyntaxUid);
  const encoding: PixelEncoding = ts?.encoding ?? 'unsupported';
  if (encoding === 'unsupported') throw dicomErrors.unsupportedTransferSyntax(source, parsed.transferSyntaxUid, ts?.name);
  const frames = Math.min(attrs.numberOfFrames, Math.max(1, maxFrames ?? attrs.numberOfFrames));
  const perFrame = attrs.rows * attrs.columns * attrs.samplesPerPixel;
  if (perFrame * frames > maxSamples) {
    throw dicomErrors.unsupportedPixelFormat(source, Tags.Rows, `${frames} frame(s) of ${attrs.rows}x${attrs.columns}x${attrs.samplesPerPixel} is too large to decode`);
  }
  const lossy = (ts?.lossy ?? false) || attrs.lossyImageCompression === true;
  const shape = [frames, attrs.rows, attrs.columns, attrs.samplesPerPixel] as const;
  return { ts, encoding, frames, perFrame, lossy, shape };
}

/**
 * Float Pixel Data (7FE0,0008, VR OF): 32-bit IEEE floats, never compressed (PS3.5 A.4 allows no
 * encapsulation), one sample per pixel; Bits Allocated must be 32.
 */
function decodeFloat(parsed: ParsedDicom, source: string, maxFrames: number | undefined, warnings: string[]): DecodedDicom {
  const ds = parsed.dataset;
  const attrs = readAttributes(parsed, source, warnings);
  if (attrs.bitsAllocated !== 32 || attrs.samplesPerPixel !== 1) {
    throw dicomErrors.invalidAttribute(source, Tags.BitsAllocated, `${attrs.bitsAllocated} bits, ${attrs.samplesPerPixel} sample(s)`, '32 bits and 1 sample for Float Pixel Data');
  }
  const { encoding, frames, perFrame, shape } = layoutOf(parsed, attrs, source, maxFrames);
  const element = ds.elements.get(Tags.FloatPixelData)!;
  if (encoding !== 'native' || element.fragments) throw dicomErrors.malformed(source, Tags.FloatPixelData, 'Float Pixel Data must not be encapsulated');
  const expected = perFrame * attrs.numberOfFrames * 4;
  if (element.length < expected) throw dicomErrors.pixelDataLength(source, element.length, expected, `${attrs.numberOfFrames} frame(s) of ${attrs.rows}x${attrs.columns} float32`);
  const view = new DataView(ds.bytes.buffer, ds.bytes.byteOffset + element.offset, perFrame * frames * 4);
  const pixels = new Float32Array(perFrame * frames);
  for (let i = 0; i < pixels.length; i++) pixels[i] = view.getFloat32(4 * i, ds.littleEndian);
  return { pixels, shape, attributes: attrs, colorSpace: attrs.photometricInterpretation, lossy: false, warnings };
}

/** Groups encapsulated fragments into frames (PS3.5 A.4): by the offset table, one per frame, or by markers. */
function splitFrames(
  buffer: Uint8Array,
  fragments: readonly Fragment[],
  numberOfFrames: number,
  encoding: PixelEncoding,
  source: string,
  warnings: string[],
): Uint8Array[] {
  const [table, ...data] = fragments;
  if (!table || data.length === 0) throw dicomErrors.noPixelData(source, undefined);
  const bytesOf = (list: readonly Fragment[]): Uint8Array => {
    if (list.length === 1) return buffer.subarray(list[0]!.offset, list[0]!.offset + list[0]!.length);
    const total = list.reduce((n, f) => n + f.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const f of list) {
      out.set(buffer.subarray(f.offset, f.offset + f.length), o);
      o += f.length;
    }
    return out;
  };
  if (numberOfFrames === 1) return [bytesOf(data)];
  if (data.length === numberOfFrames) return data.map((f) => bytesOf([f]));
  // The basic offset table: byte offsets of each frame's first item, from the first item after the table.
  if (table.length >= 4 * numberOfFrames) {
    const view = new DataView(buffer.buffer, buffer.byteOffset + table.offset, table.length);
    const first = data[0]!.offset - 8;
    const starts = Array.from({ length: numberOfFrames }, (_, i) => view.getUint32(4 * i, true));
    const frames: Fragment[][] = starts.map(() => []);
    for (const f of data) {
      const rel = f.offset - 8 - first;
      let k = -1;
      for (let i = 0; i < starts.length; i++) if (starts[i]! <= rel) k = i;
      if (k >= 0) frames[k]!.push(f);
    }
    if (frames.every((list) => list.length > 0)) return frames.map(bytesOf);
  }
  // No usable table: a JPEG or JPEG 2000 frame starts with its start-of-image marker.
  if (encoding !== 'rle') {
    const frames: Fragment[][] = [];
    for (const f of data) {
      const b0 = buffer[f.offset];
      const b1 = buffer[f.offset + 1];
      const starts = b0 === 0xff && (b1 === 0xd8 || b1 === 0x4f);
      if (starts || frames.length === 0) frames.push([f]);
      else frames[frames.length - 1]!.push(f);
    }
    if (frames.length >= numberOfFrames) return frames.slice(0, numberOfFrames).map(bytesOf);
    if (frames.length > 0) {
      warnings.push(`Number of Frames is ${numberOfFrames} but only ${frames.length} frame(s) were found in the pixel data`);
      return frames.map(bytesOf);
    }
  }
  throw dicomErrors.malformed(source, Tags.PixelData, `cannot split ${data.length} fragments into ${numberOfFrames} frames (no usable offset table)`);
}

interface FrameImage extends CodecImage {
  /** True when the codec converted YBR to RGB. */
  readonly rgb: boolean;
}

async function decodeCodestream(
  encoded: Uint8Array,
  encoding: PixelEncoding,
  attrs: DicomAttributes,
  source: string,
  frame: number,
  warnings: string[],
): Promise<FrameImage> {
  let info: CodestreamInfo | undefined;
  let codestream = encoded;
  if (encoding === 'jpeg-2000') {
    const j2k = readJ2kHeader(encoded);
    if (j2k) {
      info = j2k.info;
      codestream = encoded.subarray(j2k.offset);
    }
  } else info = readJpegFrameHeader(encoded);
  const codecName = encoding === 'jpeg-2000' ? 'JPEG 2000' : encoding === 'jpeg-ls' ? 'JPEG-LS' : 'JPEG';
  if (!info) throw dicomErrors.corruptCodestream(source, codecName, 'no frame header found in the codestream', frame);
  const expected = `${attrs.columns}x${attrs.rows}, ${attrs.samplesPerPixel} sample(s), ${attrs.bitsStored} bits stored`;
  if (info.width !== attrs.columns || info.height !== attrs.rows || info.components !== attrs.samplesPerPixel || info.precision > Math.max(attrs.bitsAllocated, 8)) {
    throw dicomErrors.codestreamMismatch(source, codecName, `${info.width}x${info.height}, ${info.components} component(s), ${info.precision} bits`, expected);
  }
  // Pick the decoder from the codestream itself: files are sometimes labelled with the wrong JPEG syntax.
  const m = info.marker;
  let kind: 'jpeg8' | 'dct' | 'lossless' | 'jpegls' | 'j2k';
  if (encoding === 'jpeg-2000') kind = 'j2k';
  else if (m === 0xfff7) kind = 'jpegls';
  else if (m === 0xffc3) kind = 'lossless';
  // Colour goes to our own decoder too: libjpeg-turbo would convert YCbCr to RGB, and the stored values
  // are the YCbCr samples (as GDCM returns them).
  else if (m === 0xffc0 || m === 0xffc1 || m === 0xffc2) kind = info.precision <= 8 && (info.components === 1 || m === 0xffc2) ? 'jpeg8' : 'dct';
  else throw dicomErrors.corruptCodestream(source, codecName, `unsupported JPEG process (marker FF${(m & 0xff).toString(16).toUpperCase()})`, frame);
  const expectedKind = { 'jpeg-baseline': ['jpeg8', 'dct'], 'jpeg-extended': ['jpeg8', 'dct'], 'jpeg-lossless': ['lossless'], 'jpeg-ls': ['jpegls'], 'jpeg-2000': ['j2k'] }[
    encoding as 'jpeg-baseline'
  ];
  if (expectedKind && !expectedKind.includes(kind) && frame === 0) {
    warnings.push(`transfer syntax ${attrs.transferSyntaxUid} but the codestream is ${kind}: decoded as ${kind}`);
  }
  let image: CodecImage;
  try {
    switch (kind) {
      case 'jpeg8':
        image = await decodeJpeg8(codestream);
        break;
      case 'dct': {
        const d = decodeJpegDct(codestream);
        image = { width: d.width, height: d.height, components: d.components, bitsPerSample: d.precision, signed: false, data: d.data };
        break;
      }
      case 'lossless':
        image = decodeJpegLossless(codestream, info.width, info.height, info.components, info.precision);
        break;
      case 'jpegls':
        image = await decodeJpegLs(codestream);
        break;
      default:
        image = await decodeJ2k(codestream);
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw dicomErrors.corruptCodestream(source, codecName, describeThrown(error), frame);
  }
  if (image.width !== attrs.columns || image.height !== attrs.rows || image.components !== attrs.samplesPerPixel) {
    throw dicomErrors.codestreamMismatch(source, codecName, `${image.width}x${image.height}, ${image.components} component(s)`, expected);
  }
  // libjpeg-turbo converts YCbCr to RGB; only progressive colour JPEG (not a DICOM process) goes there.
  // OpenJPEG undoes the JPEG 2000 component transform, so YBR_ICT/YBR_RCT come out as RGB.
  const rgb =
    image.components === 3 &&
    ((kind === 'jpeg8' && attrs.photometricInterpretation.startsWith('YBR')) ||
      (kind === 'j2k' && (attrs.photometricInterpretation === 'YBR_ICT' || attrs.photometricInterpretation === 'YBR_RCT')));
  return { ...image, rgb };
}
