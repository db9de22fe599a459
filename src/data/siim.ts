/**
 * The SIIM-ACR Pneumothorax Segmentation dataset (Kaggle 2019), as the paper used it:
 * `train-rle.csv` (`ImageId`, ` EncodedPixels` with its leading space; `-1` for negatives; several rows
 * per image whose masks are united), images at `dicom-images-train/<study>/<series>/<SOPInstanceUID>.dcm`,
 * and the paper's `pneumothorax_splits.csv` when given.
 */
import path from 'node:path';
import type { DataError } from '../core/errors.js';
import type { GroundTruth } from '../core/types.js';
import type { Size } from '../imaging/rasterize.js';
import { readCsv } from './csv.js';
import {
  datasetFromItems,
  defaultImageReader,
  listImageFiles,
  ProblemLog,
  resolveSplits,
  type Dataset,
  type DatasetItem,
  type DatasetOptions,
} from './dataset.js';
import { cell, dataErrors } from './problems.js';
import { decodeSiimRle, siimRleExtent } from './rle.js';

/** File names of the SIIM layout. */
export const SIIM_FILES = {
  labels: 'train-rle.csv',
  images: 'dicom-images-train',
  idColumn: 'ImageId',
  rleColumn: ' EncodedPixels',
} as const;

/** Options of `openSiimDataset`; paths default to the Kaggle layout under the root. */
export interface SiimOptions extends DatasetOptions {
  /** The RLE CSV; default `<root>/train-rle.csv`. */
  readonly labelsFile?: string;
  /** The DICOM tree; default `<root>/dicom-images-train`. */
  readonly imagesDir?: string;
}

interface RleRow {
  readonly line: number;
  readonly rle: string;
}

/** Opens a SIIM-ACR dataset folder: reads the RLE CSV and split file, lists the DICOM tree, loads nothing else. */
export async function openSiimDataset(root: string, options: SiimOptions = {}): Promise<Dataset> {
  const labelsFile = options.labelsFile ?? path.join(root, SIIM_FILES.labels);
  const imagesDir = options.imagesDir ?? path.join(root, SIIM_FILES.images);
  const readImage = options.readImage ?? defaultImageReader;
  const log = new ProblemLog(options.skipBad ?? false);

  const table = await readCsv(labelsFile, {
    columns: [{ name: SIIM_FILES.idColumn }, { name: SIIM_FILES.rleColumn, aliases: ['EncodedPixels'] }],
    skipBad: options.skipBad ?? false,
  });
  log.add(table.problems);

  // Rows grouped by image in order of first appearance (the order the paper's split depends on).
  const rowsById = new Map<string, RleRow[]>();
  const negativeLine = new Map<string, number>();
  const bad = new Set<string>();
  for (const row of table.rows) {
    const id = row.values[SIIM_FILES.idColumn]!.trim();
    const rle = row.values[SIIM_FILES.rleColumn]!;
    const where = { file: labelsFile, field: cell(row.line, SIIM_FILES.rleColumn) };
    if (id === '') {
      log.fail(dataErrors.badValue(labelsFile, row.line, SIIM_FILES.idColumn, id, 'an image id'));
      continue;
    }
    if (bad.has(id)) continue;
    try {
      siimRleExtent(rle, where);
    } catch (error) {
      log.fail(error as DataError, id);
      bad.add(id);
      rowsById.delete(id);
      continue;
    }
    const list = rowsById.get(id) ?? [];
    const negative = rle.trim() === '-1';
    const mixed = negative ? list.some((r) => r.rle.trim() !== '-1') : negativeLine.has(id);
    if (mixed) {
      log.fail(dataErrors.conflictingLabels(labelsFile, row.line, SIIM_FILES.rleColumn, id), id);
      bad.add(id);
      rowsById.delete(id);
      continue;
    }
    if (negative) negativeLine.set(id, row.line);
    list.push({ line: row.line, rle });
    rowsById.set(id, list);
  }

  const files = await listImageFiles(imagesDir, ['.dcm', '.dicom'], log, 'the DICOM folder');
  const ids: string[] = [];
  for (const id of rowsById.keys()) {
    if (files.has(id)) ids.push(id);
    else log.fail(dataErrors.missingFile(path.join(imagesDir, '…', `${id}.dcm`), 'the DICOM file', id), id);
  }
  const labelled = new Set(table.rows.map((row) => row.values[SIIM_FILES.idColumn]!.trim()));
  const splits = await resolveSplits(ids, labelsFile, options, log, labelled);

  const items: DatasetItem[] = [];
  for (const id of ids) {
    const split = splits.get(id);
    if (split === undefined) continue;
    const rows = rowsById.get(id)!;
    const positives = rows.filter((r) => r.rle.trim() !== '-1');
    const source = files.get(id)!;
    items.push({
      id,
      split,
      label: positives.length > 0 ? 1 : 0,
      source,
      annotation: { kind: 'mask', count: positives.length },
      loadImage: () => readImage(source),
      loadGroundTruth: async (size: Size): Promise<GroundTruth> => {
        const data = new Uint8Array(size.width * size.height);
        for (const r of positives) {
          decodeSiimRle(r.rle, size.width, size.height, { into: data, where: { file: labelsFile, field: cell(r.line, SIIM_FILES.rleColumn) } });
        }
        return { kind: 'mask', mask: { data, width: size.width, height: size.height } };
      },
    });
  }
  return datasetFromItems('siim', root, items, log.problems);
}
