/**
 * Fuzzing: thousands of mutated copies of the oracle DICOM files. The only acceptable outcomes are a
 * decoded image of consistent shape or a DataError; never another exception, a crash or a hang.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { createRng, type Rng } from '../../../src/core/rng.js';
import { decodeDicom } from '../../../src/data/dicom/index.js';
import { decodeImage } from '../../../src/data/read-image.js';
import { oraclePath } from '../../helpers/oracle.js';

const files = readdirSync(oraclePath('dicom'))
  .filter((f) => f.endsWith('.dcm'))
  .sort()
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(oraclePath(`dicom/${name}`))) }));
// Cases are spent where decoding is cheap: the 1024x256 and 1024x1024 compressed files take tens of
// milliseconds per decode, so they get fewer cases.
const slow = new Set(['JPEG-lossy.dcm', 'JPEG2000.dcm']);
const small = files.filter((f) => f.bytes.length < 50_000 && !slow.has(f.name));
const medium = files.filter((f) => slow.has(f.name));
const large = files.filter((f) => f.bytes.length >= 50_000);

function mutate(source: Uint8Array, rng: Rng): Uint8Array {
  let bytes = source.slice();
  const mutations = 1 + rng.int(4);
  // Most of the structure is in the first few hundred bytes and at the start of the pixel data.
  const hot = (): number => (rng.uniform() < 0.7 ? rng.int(Math.min(bytes.length, 1500)) : rng.int(bytes.length));
  for (let m = 0; m < mutations && bytes.length > 0; m++) {
    const kind = rng.int(8);
    const at = hot();
    switch (kind) {
      case 0: // flip one bit
        bytes[at] = bytes[at]! ^ (1 << rng.int(8));
        break;
      case 1: // overwrite a byte with an interesting value
        bytes[at] = [0x00, 0xff, 0x7f, 0x80, 0xfe, rng.int(256)][rng.int(6)]!;
        break;
      case 2: // truncate
        bytes = bytes.slice(0, rng.int(bytes.length));
        break;
      case 3: {
        // a 32-bit field (e.g. a length) set to an extreme
        const v = [0xffffffff, 0, 0x7fffffff, 1, rng.nextUint32(), 0x10000][rng.int(6)]!;
        if (at + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(at, v, true);
        break;
      }
      case 4: {
        // a 16-bit field (rows, columns, bits, VR length)
        const v = [0, 1, 0xffff, 0x8000, 7, 12, 16, 32, 3, rng.int(65536)][rng.int(10)]!;
        if (at + 2 <= bytes.length) new DataView(bytes.buffer).setUint16(at, v, true);
        break;
      }
      case 5: {
        // delete a chunk
        const n = 1 + rng.int(64);
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(Math.min(bytes.length, at + n))]);
        break;
      }
      case 6: {
        // insert random bytes
        const n = 1 + rng.int(32);
        const insert = Array.from({ length: n }, () => rng.int(256));
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...insert, ...bytes.subarray(at)]);
        break;
      }
      default: {
        // scribble over a run of bytes
        const n = 1 + rng.int(16);
        for (let i = at; i < Math.min(bytes.length, at + n); i++) bytes[i] = rng.int(256);
      }
    }
  }
  return bytes;
}

async function outcome(bytes: Uint8Array): Promise<'decoded' | 'refused'> {
  try {
    const d = await decodeDicom(bytes, { source: 'fuzz.dcm' });
    const [frames, rows, columns, samples] = d.shape;
    expect(d.pixels.length).toBe(frames * rows * columns * samples);
    return 'decoded';
  } catch (error) {
    if (!(error instanceof DataError)) throw new Error(`non-DataError thrown: ${String(error)}`, { cause: error });
    expect(error.file).toBe('fuzz.dcm');
    expect(error.code).toMatch(/^dicom-/);
    return 'refused';
  }
}

describe('DICOM fuzzing', () => {
  it('mutated small oracle files: decoded or refused with a DataError', async () => {
    const rng = createRng(3);
    const counts = { decoded: 0, refused: 0 };
    const started = performance.now();
    let slowest = 0;
    for (let i = 0; i < 2500; i++) {
      const file = small[rng.int(small.length)]!;
      const bytes = mutate(file.bytes, rng);
      const t0 = performance.now();
      counts[await outcome(bytes)]++;
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(counts.decoded + counts.refused).toBe(2500);
    expect(counts.refused).toBeGreaterThan(300);
    // Terminates promptly: no case anywhere near a hang.
    expect(slowest).toBeLessThan(5000);
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('mutated 1024x256 JPEG extended 12-bit and JPEG 2000 files', async () => {
    const rng = createRng(6);
    for (let i = 0; i < 200; i++) await outcome(mutate(medium[i % medium.length]!.bytes, rng));
  });

  it('mutated 1024x1024 chest files (JPEG baseline, JPEG-LS, JPEG lossless)', async () => {
    const rng = createRng(4);
    for (let i = 0; i < 60; i++) {
      const file = large[i % large.length]!;
      await outcome(mutate(file.bytes, rng));
    }
  });

  it('random bytes and empty input through readImage give DataErrors', async () => {
    const rng = createRng(5);
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from({ length: rng.int(600) }, () => rng.int(256));
      if (i % 3 === 0 && bytes.length > 132) bytes.set([0x44, 0x49, 0x43, 0x4d], 128); // a DICM marker, then junk
      const error = await decodeImage(bytes, 'junk.bin').then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error !== undefined) expect(error).toBeInstanceOf(DataError);
    }
  });
});
