import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The shared oracle folder: ../shared/oracle next to the project root (as in CI). */
export const oracleRoot = path.resolve(fileURLToPath(new URL('../../../shared/oracle', import.meta.url)));

export function oraclePath(relative: string): string {
  return path.join(oracleRoot, relative);
}

export function readOracleJson<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(oraclePath(relative), 'utf8')) as T;
}

/** Decodes the oracle's `{dtype, shape, b64}` arrays (little-endian, C order). */
export function decodeArray(encoded: { dtype: string; shape: number[]; b64: string }): {
  data: Float32Array | Uint8Array | Float64Array | Int32Array;
  shape: number[];
} {
  const bytes = Buffer.from(encoded.b64, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  switch (encoded.dtype) {
    case 'float32':
      return { data: new Float32Array(copy.buffer), shape: encoded.shape };
    case 'float64':
      return { data: new Float64Array(copy.buffer), shape: encoded.shape };
    case 'uint8':
      return { data: copy, shape: encoded.shape };
    case 'int32':
      return { data: new Int32Array(copy.buffer), shape: encoded.shape };
    default:
      throw new Error(`unknown oracle dtype ${encoded.dtype}`);
  }
}
