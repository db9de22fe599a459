/**
 * PNG and JPEG files in and out: 8- and 16-bit PNG (fast-png), 8-bit JPEG (jpeg-js for colour and
 * progressive; our islow decoder for greyscale, bit-exact with libjpeg), 12-bit JPEG and lossless JPEG
 * up to 16 bits; PNG writing at 8 or 16 bits. Pure JavaScript, so results are the same on every machine.
 */
import { writeFile } from 'node:fs/promises';
import { convertIndexedToRgb, decode as decodePngData, encode as encodePngData } from 'fast-png';
import jpegJs from 'jpeg-js';
import { DataError } from '../core/errors.js';
import { decodeJpegLossless, describeThrown } from './dicom/codecs.js';
import { decodeJpegDct } from './dicom/jpeg-dct.js';
import { readJpegFrameHeader } from './dicom/jpeg-header.js';
import { imageErrors } from './dicom/messages.js';

/** A decoded raster: interleaved samples of `bitDepth` significant bits (Uint16Array above 8 bits). */
export interface RasterImage {
  readonly data: Uint8Array | Uint16Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
  readonly bitDepth: number;
  readonly format: 'png' | 'jpeg';
}

/** What `encodePng` writes: interleaved 8-bit (Uint8Array) or 16-bit (Uint16Array) samples. */
export interface PngInput {
  readonly data: Uint8Array | Uint16Array;
  readonly width: number;
  readonly height: number;
  /** Default 1 (grey); 2 grey+alpha, 3 RGB, 4 RGBA. */
  readonly channels?: 1 | 2 | 3 | 4;
}

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

/** True when the bytes start with a JPEG start-of-image marker. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Decodes a PNG (any bit depth, palette expanded to RGB); `source` names the file in errors. */
export function decodePng(bytes: Uint8Array, source = '<bytes>'): RasterImage {
  let png;
  try {
    png = decodePngData(bytes);
  } catch (error) {
    throw imageErrors.corrupt(source, 'PNG', describeThrown(error));
  }
  let data = png.data;
  let channels = png.channels;
  let depth: number = png.depth;
  if (png.palette) {
    try {
      data = convertIndexedToRgb(png);
    } catch (error) {
      throw imageErrors.corrupt(source, 'PNG', describeThrown(error));
    }
    channels = data.length / (png.width * png.height);
    depth = 8;
  }
  if (channels < 1 || channels > 4 || data.length < png.width * png.height * channels) {
    throw imageErrors.unsupported(source, 'PNG', `${channels} channels`);
  }
  const samples = data instanceof Uint16Array ? data : data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  return { data: samples, width: png.width, height: png.height, channels: channels as 1 | 2 | 3 | 4, bitDepth: depth, format: 'png' };
}

/** Decodes a JPEG: baseline/extended 8 or 12 bits, progressive 8 bits, or lossless up to 16 bits. */
export function decodeJpeg(bytes: Uint8Array, source = '<bytes>'): RasterImage {
  const info = readJpegFrameHeader(bytes);
  if (!info) throw imageErrors.corrupt(source, 'JPEG', 'no frame header');
  if (info.components !== 1 && info.components !== 3) throw imageErrors.unsupported(source, 'JPEG', `${info.components} components`);
  try {
    if (info.marker === 0xffc3) {
      const d = decodeJpegLossless(bytes, info.width, info.height, info.components, info.precision);
      return { data: d.data instanceof Int16Array ? new Uint16Array(d.data.buffer) : d.data, width: d.width, height: d.height, channels: info.components as 1 | 3, bitDepth: info.precision, format: 'jpeg' };
    }
    const sequential = info.marker === 0xffc0 || info.marker === 0xffc1;
    if (sequential && (info.components === 1 || info.precision > 8)) {
      // Greyscale (and 12-bit): our decoder, exact and single-channel. 12-bit colour keeps YCbCr, whose Y is the luma.
      const d = decodeJpegDct(bytes);
      if (d.components === 3) {
        const y = new Uint16Array(d.width * d.height);
        for (let i = 0; i < y.length; i++) y[i] = d.data[i * 3]!;
        return { data: y, width: d.width, height: d.height, channels: 1, bitDepth: d.precision, format: 'jpeg' };
      }
      return { data: d.precision > 8 ? d.data : Uint8Array.from(d.data), width: d.width, height: d.height, channels: 1, bitDepth: d.precision, format: 'jpeg' };
    }
    if (info.precision > 8) throw imageErrors.unsupported(source, 'JPEG', `${info.precision}-bit progressive or hierarchical JPEG`);
    const decoded = jpegJs.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 2048 });
    return { data: decoded.data, width: decoded.width, height: decoded.height, channels: 3, bitDepth: 8, format: 'jpeg' };
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw imageErrors.corrupt(source, 'JPEG', describeThrown(error));
  }
}

/** Encodes interleaved samples as PNG: 16-bit when `data` is a Uint16Array, else 8-bit. */
export function encodePng(image: PngInput): Uint8Array {
  const depth = image.data instanceof Uint16Array ? 16 : 8;
  return encodePngData({ width: image.width, height: image.height, data: image.data, depth, channels: image.channels ?? 1 });
}

/** Encodes a float grey image in [0, 1] (values outside are clamped) as an 8- or 16-bit grey PNG. */
export function encodeGreyPng(pixels: Float32Array, width: number, height: number, bitDepth: 8 | 16 = 16): Uint8Array {
  const max = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(pixels.length) : new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    data[i] = Math.round((v > 1 ? 1 : v > 0 ? v : 0) * max);
  }
  return encodePng({ data, width, height, channels: 1 });
}

/** Writes a PNG file (see `encodePng`). */
export async function writePng(path: string, image: PngInput): Promise<void> {
  await writeFile(path, encodePng(image));
}

/**
 * Grey values of a raster as Float64 in stored units: luma (BT.601) for colour, alpha ignored. Returns
 * whether the image had colour (some pixel with unequal channels).
 */
export function rasterToGrey(raster: RasterImage): { grey: Float64Array; hadColour: boolean } {
  const n = raster.width * raster.height;
  const c = raster.channels;
  const grey = new Float64Array(n);
  const d = raster.data;
  let hadColour = false;
  if (c <= 2) for (let i = 0; i < n; i++) grey[i] = d[i * c]!;
  else {
    for (let i = 0, j = 0; i < n; i++, j += c) {
      const r = d[j]!;
      const g = d[j + 1]!;
      const b = d[j + 2]!;
      if (r === g && g === b) grey[i] = r;
      else {
        hadColour = true;
        grey[i] = 0.299 * r + 0.587 * g + 0.114 * b;
      }
    }
  }
  return { grey, hadColour };
}
