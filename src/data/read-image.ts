/**
 * `readImage`: any supported file (DICOM, PNG, JPEG) to the canonical `XrayImage`, optionally resized
 * to the model's input size. The format is recognised from the bytes, not the file name.
 */
import { readFile } from 'node:fs/promises';
import { DataError } from '../core/errors.js';
import type { XrayImage } from '../core/types.js';
import { resizeImage, type ResizeOptions } from '../imaging/resize.js';
import type { DicomAttributes } from './dicom/attributes.js';
import { decodeDicom } from './dicom/decode.js';
import { toCanonical, type WindowOption } from './dicom/display.js';
import { dicomErrors, imageErrors } from './dicom/messages.js';
import { Tags } from './dicom/tags.js';
import { decodeJpeg, decodePng, isJpeg, isPng, rasterToGrey, type RasterImage } from './image-io.js';

/** Options of `readImage` and `decodeImage`. */
export interface ReadImageOptions {
  /** How stored values map to [0, 1] (see `WindowOption`); default `stored-range`. */
  readonly window?: WindowOption;
  /** Put patient names, IDs, UIDs and dates into `metadata`; default false (de-identified). */
  readonly includeIdentifiers?: boolean;
  /** Resize after decoding (e.g. `{ width: 320, height: 320, method: 'area' }`); default: native size. */
  readonly resize?: ResizeOptions;
}

/** Reads an image file (DICOM, PNG or JPEG) into the canonical image; failures are DataErrors naming the file. */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<XrayImage> {
  let bytes: Uint8Array;
  try {
    const buffer = await readFile(path);
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw imageErrors.fileMissing(path);
    throw imageErrors.fileUnreadable(path, (error as Error).message);
  }
  return decodeImage(bytes, path, options);
}

/** Decodes image bytes (DICOM, PNG or JPEG) into the canonical image; `source` is recorded and named in errors. */
export async function decodeImage(bytes: Uint8Array, source: string, options: ReadImageOptions = {}): Promise<XrayImage> {
  let image: XrayImage;
  if (isPng(bytes) || isJpeg(bytes)) image = rasterImage(isPng(bytes) ? decodePng(bytes, source) : decodeJpeg(bytes, source), source, options);
  else image = await dicomImage(bytes, source, options);
  return options.resize ? resized(image, options.resize) : image;
}

async function dicomImage(bytes: Uint8Array, source: string, options: ReadImageOptions): Promise<XrayImage> {
  let decoded;
  try {
    decoded = await decodeDicom(bytes, { source, maxFrames: 1 });
  } catch (error) {
    // Bytes that are not DICOM either: say all three formats were tried (a .dcm file keeps the DICOM message).
    if (error instanceof DataError && error.code === 'dicom-not-dicom' && !/\.(dcm|dicom|dic)$/i.test(source)) {
      throw imageErrors.unknownFormat(source, Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing');
    }
    throw error;
  }
  // Float pixel data is a parametric map (e.g. heatcheck's own export), not a radiograph to audit.
  if (decoded.pixels instanceof Float32Array) throw dicomErrors.floatPixelData(source, Tags.FloatPixelData);
  const a = decoded.attributes;
  const frame = toCanonical(decoded, options.window ?? 'stored-range');
  const warnings = [...decoded.warnings, ...frame.warnings];
  if (a.numberOfFrames > 1) warnings.push(`first frame of ${a.numberOfFrames} used`);
  return {
    pixels: frame.pixels,
    width: frame.width,
    height: frame.height,
    source,
    metadata: { ...dicomMetadata(a, options.includeIdentifiers ?? false), lossy: decoded.lossy, window: frame.window },
    warnings,
  };
}

/** The de-identified metadata subset (plus identifiers when asked for). */
function dicomMetadata(a: DicomAttributes, includeIdentifiers: boolean): Record<string, string | number | boolean> {
  const m: Record<string, string | number | boolean | undefined> = {
    format: 'dicom',
    transferSyntaxUid: a.transferSyntaxUid,
    transferSyntax: a.transferSyntaxName,
    sopClassUid: a.sopClassUid,
    modality: a.modality,
    photometricInterpretation: a.photometricInterpretation,
    rows: a.rows,
    columns: a.columns,
    numberOfFrames: a.numberOfFrames,
    samplesPerPixel: a.samplesPerPixel,
    bitsAllocated: a.bitsAllocated,
    bitsStored: a.bitsStored,
    pixelRepresentation: a.pixelRepresentation,
    rescaleSlope: a.hasRescale ? a.rescaleSlope : undefined,
    rescaleIntercept: a.hasRescale ? a.rescaleIntercept : undefined,
    rescaleType: a.rescaleType,
    windowCenter: a.windowCenters[0],
    windowWidth: a.windowWidths[0],
    voiLutFunction: a.voiLutFunction,
    viewPosition: a.viewPosition,
    bodyPartExamined: a.bodyPartExamined,
    patientOrientation: a.patientOrientation,
    pixelSpacing: a.pixelSpacing?.join('\\'),
    imagerPixelSpacing: a.imagerPixelSpacing?.join('\\'),
    manufacturer: a.manufacturer,
    manufacturerModelName: a.manufacturerModelName,
    lossyImageCompression: a.lossyImageCompression,
    ...(includeIdentifiers ? a.identifiers : {}),
  };
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as Record<string, string | number | boolean>;
}

function rasterImage(raster: RasterImage, source: string, options: ReadImageOptions): XrayImage {
  const { grey, hadColour } = rasterToGrey(raster);
  const n = grey.length;
  const warnings: string[] = [];
  if (hadColour) warnings.push('colour image converted to grey (luma)');
  const max = 2 ** raster.bitDepth - 1;
  let lo = 0;
  let hi = max;
  let window = 'stored-range';
  const w = options.window ?? 'stored-range';
  if (w === 'min-max') {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, grey[i]!);
      hi = Math.max(hi, grey[i]!);
    }
    window = 'min-max';
  } else if (typeof w === 'object' && w.width >= 1) {
    lo = w.center - 0.5 - (w.width - 1) / 2;
    hi = w.center - 0.5 + (w.width - 1) / 2;
    window = `window ${w.center}/${w.width} (LINEAR)`;
  } else if (w !== 'stored-range') warnings.push(`window ${JSON.stringify(w)} applies to DICOM files only: stored range used`);
  const pixels = new Float32Array(n);
  const span = hi - lo;
  for (let i = 0; i < n; i++) {
    const v = span > 0 ? (grey[i]! - lo) / span : 0;
    pixels[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return {
    pixels,
    width: raster.width,
    height: raster.height,
    source,
    metadata: { format: raster.format, bitDepth: raster.bitDepth, channels: raster.channels, rows: raster.height, columns: raster.width, window },
    warnings,
  };
}

function resized(image: XrayImage, resize: ResizeOptions): XrayImage {
  if (resize.width === image.width && resize.height === image.height) return image;
  return {
    ...image,
    pixels: resizeImage(image.pixels, image.width, image.height, resize),
    width: resize.width,
    height: resize.height,
    metadata: { ...image.metadata, resizedFrom: `${image.width}x${image.height}`, resizeMethod: resize.method ?? 'area' },
  };
}
