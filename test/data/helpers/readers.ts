import { DataError } from '../../../src/core/errors.js';
import type { XrayImage } from '../../../src/core/types.js';
import type { ImageReader } from '../../../src/data/dataset.js';

/** An in-memory reader: images keyed by path; a missing key is a DataError like a missing file. */
export function memoryReader(images: Record<string, XrayImage>): ImageReader {
  return async (path) => {
    const image = images[path];
    if (!image) throw new DataError('missing-file', 'no such image', { file: path });
    return image;
  };
}

/** A flat grey image of a size. */
export function flatImage(width: number, height: number, source = 'memory', value = 0.5): XrayImage {
  return { pixels: new Float32Array(width * height).fill(value), width, height, source, metadata: {}, warnings: [] };
}
