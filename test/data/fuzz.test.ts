/**
 * Fuzzing: mutated copies of the oracle RLE strings and of SIIM/RSNA label CSVs built from the oracle
 * cases must only ever raise DataError (never another error, never hang).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { createRng, type Rng } from '../../src/core/rng.js';
import { parseCsv } from '../../src/data/csv.js';
import { openRsnaDataset } from '../../src/data/rsna.js';
import { decodeSiimRle, encodeSiimRle } from '../../src/data/rle.js';
import { openSiimDataset } from '../../src/data/siim.js';
import { readOracleJson } from '../helpers/oracle.js';
import { flatImage } from './helpers/readers.js';

const rleCases = readOracleJson<{ cases: { width: number; height: number; rle: string }[] }>('siim_rle.json').cases;
const boxCases = readOracleJson<{ cases: { boxes_xywh_1024: number[][] }[] }>('rsna_boxes.json').cases;

const ALPHABET = ' ,"\n\r-0123456789.eE+xa\t\uFEFF';

function mutate(rng: Rng, text: string): string {
  let out = text;
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = out.length === 0 ? 0 : rng.int(out.length + 1);
    switch (rng.int(6)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + rng.int(5));
        break;
      case 1:
        out = out.slice(0, at) + ALPHABET[rng.int(ALPHABET.length)] + out.slice(at);
        break;
      case 2:
        out = out.slice(0, at);
        break;
      case 3: {
        const len = rng.int(20);
        out = out.slice(0, at) + out.slice(at, at + len) + out.slice(at);
        break;
      }
      case 4:
        out = out.slice(0, at) + String(rng.nextUint32() * (rng.int(2) ? 1e6 : 1)) + out.slice(at);
        break;
      default:
        out = out.slice(0, at) + ALPHABET[rng.int(ALPHABET.length)] + out.slice(at + 1);
    }
  }
  return out;
}

function onlyDataErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
  }
}

const siimCsv = ['ImageId, EncodedPixels', ...rleCases.slice(0, 2).map((c, i) => `img${i}, ${c.rle}`), 'img2, -1', 'img0, 1 1', ''].join('\n');
const rsnaCsv = [
  'patientId,x,y,width,height,Target',
  ...boxCases.flatMap((c, i) => c.boxes_xywh_1024.map((b) => `p${i},${b.join(',')},1`)),
  'p9,,,,,0',
  '',
].join('\n');

const dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-fuzz-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('fuzz', () => {
  it('the RLE decoder raises only DataError on 5,000 mutated oracle strings, and valid results round-trip', () => {
    const rng = createRng(2024);
    for (let t = 0; t < 5000; t++) {
      const c = rleCases[t % rleCases.length]!;
      const rle = mutate(rng, c.rle);
      try {
        const mask = decodeSiimRle(rle, c.width, c.height);
        if (c.width > 64) continue; // the 1024x1024 cases: decode only, to keep the test fast
        const again = decodeSiimRle(encodeSiimRle(mask, c.width, c.height), c.width, c.height);
        if (!Buffer.from(again).equals(Buffer.from(mask))) throw new Error(`round trip failed for ${JSON.stringify(rle.slice(0, 80))}`);
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
      }
    }
  });

  it('the CSV parser raises only DataError on 3,000 mutated SIIM and RSNA label files', () => {
    const rng = createRng(7);
    const siimColumns = [{ name: 'ImageId' }, { name: ' EncodedPixels', aliases: ['EncodedPixels'] }];
    const rsnaColumns = ['patientId', 'x', 'y', 'width', 'height', 'Target'].map((name) => ({ name }));
    for (let t = 0; t < 3000; t++) {
      const siim = t % 2 === 0;
      const text = mutate(rng, siim ? siimCsv : rsnaCsv);
      onlyDataErrors(() => parseCsv(text, 'f.csv', { columns: siim ? siimColumns : rsnaColumns, skipBad: t % 4 < 2 }));
    }
  });

  it('the SIIM and RSNA loaders raise only DataError on 400 mutated label files, with and without skipBad', async () => {
    const rng = createRng(99);
    const siimRoot = path.join(dir, 'siim');
    const rsnaRoot = path.join(dir, 'rsna');
    for (let i = 0; i < 3; i++) {
      await mkdir(path.join(siimRoot, 'dicom-images-train', 's', 'r'), { recursive: true });
      await writeFile(path.join(siimRoot, 'dicom-images-train', 's', 'r', `img${i}.dcm`), '');
    }
    await mkdir(path.join(rsnaRoot, 'stage_2_train_images'), { recursive: true });
    for (const id of ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p9']) await writeFile(path.join(rsnaRoot, 'stage_2_train_images', `${id}.dcm`), '');
    const reader = async (p: string) => flatImage(1024, 1024, p);
    for (let t = 0; t < 400; t++) {
      const siim = t % 2 === 0;
      const skipBad = t % 4 < 2;
      const root = siim ? siimRoot : rsnaRoot;
      await writeFile(path.join(root, siim ? 'train-rle.csv' : 'stage_2_train_labels.csv'), mutate(rng, siim ? siimCsv : rsnaCsv));
      try {
        const dataset = siim ? await openSiimDataset(root, { readImage: reader, skipBad }) : await openRsnaDataset(root, { readImage: reader, skipBad });
        for (const item of dataset.items()) {
          try {
            await item.loadGroundTruth({ width: 1024, height: 1024 });
          } catch (error) {
            if (!(error instanceof DataError)) throw error;
          }
        }
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
      }
    }
  });
});
