/**
 * The on-disk map cache of an audit: one Float32 binary file per (model, state, method) holding the final
 * maps of every selected image back to back, written one map at a time and read one map at a time, so
 * no step ever holds a whole dataset of maps in memory.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Map2D } from '../../core/types.js';

/** Appends maps of one size to a binary file (little-endian Float32, row-major). */
export interface MapWriter {
  append(data: Float32Array): void;
  readonly count: number;
  close(): void;
}

/** Starts a map file (truncating any previous content). */
export function createMapWriter(file: string, width: number, height: number): MapWriter {
  const fd = openSync(file, 'w');
  let count = 0;
  return {
    append(data) {
      if (data.length !== width * height) throw new RangeError(`map of ${data.length} values written to a ${width}x${height} map file`);
      writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      count++;
    },
    get count() {
      return count;
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Random access to the maps of one file. */
export interface MapReader {
  readonly count: number;
  get(index: number): Map2D;
  close(): void;
}

/** Opens a map file for reading maps by index. */
export function openMapReader(file: string, width: number, height: number): MapReader {
  const fd = openSync(file, 'r');
  const bytes = width * height * 4;
  const count = Math.floor(fstatSync(fd).size / bytes);
  return {
    count,
    get(index) {
      if (!(index >= 0 && index < count)) throw new RangeError(`map ${index} of ${count} in ${file}`);
      const data = new Float32Array(width * height);
      readSync(fd, new Uint8Array(data.buffer), 0, bytes, index * bytes);
      return { data, width, height };
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Reads one map of a file without keeping it open. */
export function readMapAt(file: string, width: number, height: number, index: number): Map2D {
  const reader = openMapReader(file, width, height);
  try {
    return reader.get(index);
  } finally {
    reader.close();
  }
}
