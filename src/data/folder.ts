/**
 * A folder dataset for users' own data:
 * - `labels.csv` with columns `id`, `label` (0 or 1) and optionally `split` (train, val, test);
 * - `images/<id>.<dcm|png|jpg|jpeg>`;
 * - ground truth as mask images `masks/<id>.png` (non-zero = positive; a negative may have none),
 *   or a `boxes.csv` with `id, x, y, width, height` in pixels of the image (one row per box);
 * - optionally a split file (`index, Image_ID, Split`); else the `split` column; else a seeded split.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Box, GroundTruth } from '../core/types.js';
import type { Size } from '../imaging/rasterize.js';
import { readCsv } from './csv.js';
import {
  datasetFromItems,
  defaultImageReader,
  listImageFiles,
  maskFromImage,
  ProblemLog,
  resolveSplits,
  type Dataset,
  type DatasetItem,
  type DatasetOptions,
} from './dataset.js';
import { dataErrors } from './problems.js';
import { SPLITS, type Split } from './splits.js';

/** Default names of the folder layout. */
export const FOLDER_FILES = {
  labels: 'labels.csv',
  images: 'images',
  masks: 'masks',
  boxes: 'boxes.csv',
} as const;

/** Image file extensions the folder dataset lists. */
export const FOLDER_IMAGE_EXTENSIONS: readonly string[] = ['.dcm', '.dicom', '.png', '.jpg', '.jpeg'];

/** Options of `openFolderDataset`; paths default to the layout above under the root. */
export interface FolderOptions extends DatasetOptions {
  readonly labelsFile?: string;
  readonly imagesDir?: string;
  /** Mask image folder; default `<root>/masks` when it exists. */
  readonly masksDir?: string;
  /** Box CSV; default `<root>/boxes.csv` when it exists (ignored when masks are used). */
  readonly boxesFile?: string;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

const BOX_COLUMNS = ['x', 'y', 'width', 'height'] as const;

/** Opens a folder dataset: reads labels (and boxes), lists images and masks, loads no pixels. */
export async function openFolderDataset(root: string, options: FolderOptions = {}): Promise<Dataset> {
  const labelsFile = options.labelsFile ?? path.join(root, FOLDER_FILES.labels);
  const imagesDir = options.imagesDir ?? path.join(root, FOLDER_FILES.images);
  const masksDir = options.masksDir ?? ((await exists(path.join(root, FOLDER_FILES.masks))) ? path.join(root, FOLDER_FILES.masks) : undefined);
  const defaultBoxes = path.join(root, FOLDER_FILES.boxes);
  const boxesFile = masksDir !== undefined ? undefined : (options.boxesFile ?? ((await exists(defaultBoxes)) ? defaultBoxes : undefined));
  const readImage = options.readImage ?? defaultImageReader;
  const log = new ProblemLog(options.skipBad ?? false);

  const table = await readCsv(labelsFile, {
    columns: [{ name: 'id', aliases: ['ImageId', 'Image_ID', 'patientId'] }, { name: 'label', aliases: ['Label', 'Target'] }, { name: 'split', aliases: ['Split'], optional: true }],
    skipBad: options.skipBad ?? false,
  });
  log.add(table.problems);
  const labels = new Map<string, { label: 0 | 1; line: number; split?: Split }>();
  for (const row of table.rows) {
    const id = row.values.id!.trim();
    const raw = row.values.label!.trim();
    if (id === '') {
      log.fail(dataErrors.badValue(labelsFile, row.line, 'id', id, 'an image id'));
      continue;
    }
    if (labels.has(id)) {
      log.fail(dataErrors.duplicateId(labelsFile, row.line, 'id', id, labels.get(id)!.line), id);
      continue;
    }
    if (raw !== '0' && raw !== '1') {
      log.fail(dataErrors.badValue(labelsFile, row.line, 'label', raw, '0 or 1'), id);
      continue;
    }
    let split: Split | undefined;
    if (table.present.has('split')) {
      const s = row.values.split!.trim().toLowerCase();
      if (!(SPLITS as readonly string[]).includes(s)) {
        log.fail(dataErrors.badValue(labelsFile, row.line, 'split', s, 'one of train, val, test'), id);
        continue;
      }
      split = s as Split;
    }
    labels.set(id, { label: raw === '1' ? 1 : 0, line: row.line, ...(split ? { split } : {}) });
  }

  const boxes = new Map<string, { line: number; box: Box }[]>();
  if (boxesFile !== undefined) {
    const boxTable = await readCsv(boxesFile, {
      columns: [{ name: 'id', aliases: ['ImageId', 'Image_ID', 'patientId'] }, ...BOX_COLUMNS.map((name) => ({ name }))],
      skipBad: options.skipBad ?? false,
    });
    log.add(boxTable.problems);
    for (const row of boxTable.rows) {
      const id = row.values.id!.trim();
      const entry = labels.get(id);
      if (!entry) {
        log.fail(dataErrors.unknownId(boxesFile, row.line, 'id', id, labelsFile), id);
        continue;
      }
      if (entry.label === 0) {
        log.fail(dataErrors.conflictingLabels(boxesFile, row.line, 'id', id), id);
        continue;
      }
      const numbers: number[] = [];
      for (const [i, column] of BOX_COLUMNS.entries()) {
        const text = row.values[column]!.trim();
        const n = text === '' ? NaN : Number(text);
        if (!Number.isFinite(n) || n < 0 || (i >= 2 && n === 0)) {
          log.fail(dataErrors.badValue(boxesFile, row.line, column, text, i >= 2 ? 'a positive number of pixels' : 'a non-negative pixel coordinate'), id);
          break;
        }
        numbers.push(n);
      }
      if (numbers.length < 4) continue;
      const list = boxes.get(id) ?? [];
      list.push({ line: row.line, box: { x: numbers[0]!, y: numbers[1]!, width: numbers[2]!, height: numbers[3]! } });
      boxes.set(id, list);
    }
  }

  const images = await listImageFiles(imagesDir, FOLDER_IMAGE_EXTENSIONS, log, 'the image folder');
  const masks = masksDir !== undefined ? await listImageFiles(masksDir, FOLDER_IMAGE_EXTENSIONS, log, 'the mask folder') : undefined;
  const ids: string[] = [];
  for (const [id, entry] of labels) {
    if (!images.has(id)) {
      log.fail(dataErrors.missingFile(path.join(imagesDir, `${id}.*`), 'the image file', id), id);
      continue;
    }
    if (masks && entry.label === 1 && !masks.has(id)) {
      log.fail(dataErrors.missingFile(path.join(masksDir!, `${id}.png`), 'the mask of a positive image', id), id);
      continue;
    }
    ids.push(id);
  }
  const useSplitColumn = options.splitFile === undefined && table.present.has('split');
  const splits = useSplitColumn ? new Map(ids.map((id) => [id, labels.get(id)!.split!])) : await resolveSplits(ids, labelsFile, options, log, new Set(table.rows.map((row) => row.values.id!.trim())));

  const items: DatasetItem[] = [];
  for (const id of ids) {
    const split = splits.get(id);
    if (split === undefined) continue;
    const { label } = labels.get(id)!;
    const source = images.get(id)!;
    const maskFile = masks?.get(id);
    const itemBoxes = boxes.get(id) ?? [];
    const kind: GroundTruth['kind'] = masks ? 'mask' : boxesFile !== undefined ? 'boxes' : 'none';
    items.push({
      id,
      split,
      label,
      source,
      annotation: { kind, count: kind === 'mask' ? (maskFile ? 1 : 0) : itemBoxes.length },
      loadImage: () => readImage(source),
      loadGroundTruth: async (size: Size): Promise<GroundTruth> => {
        if (kind === 'none') return { kind: 'none' };
        if (kind === 'boxes') {
          for (const { line, box } of itemBoxes) {
            if (box.x + box.width > size.width + 0.5 || box.y + box.height > size.height + 0.5) {
              throw dataErrors.boxOutside(boxesFile!, line, `(${box.x}, ${box.y}, ${box.width}, ${box.height})`, `${size.width}x${size.height}`);
            }
          }
          return { kind: 'boxes', boxes: itemBoxes.map((b) => b.box), width: size.width, height: size.height };
        }
        if (!maskFile) return { kind: 'mask', mask: { data: new Uint8Array(size.width * size.height), width: size.width, height: size.height } };
        const mask = maskFromImage(await readImage(maskFile));
        if (mask.width !== size.width || mask.height !== size.height) {
          throw dataErrors.maskSize({ file: maskFile }, `${mask.width}x${mask.height}`, `${size.width}x${size.height}`);
        }
        return { kind: 'mask', mask };
      },
    });
  }
  return datasetFromItems('folder', root, items, log.problems);
}
