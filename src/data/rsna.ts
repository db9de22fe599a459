/**
 * The RSNA Pneumonia Detection Challenge dataset (Kaggle 2018, stage 2), as the paper used it:
 * `stage_2_train_labels.csv` (`patientId, x, y, width, height, Target`; one row per box, one row with
 * empty box fields and Target 0 for a negative), `stage_2_detailed_class_info.csv` (`patientId, class`;
 * the paper keeps "Lung Opacity" vs "Normal"), images at `stage_2_train_images/<patientId>.dcm`, and
 * the paper's `pneumonia_splits.csv` when given.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { DataError } from '../core/errors.js';
import type { Box, GroundTruth } from '../core/types.js';
import type { Size } from '../imaging/rasterize.js';
import { readCsv, type CsvRow } from './csv.js';
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
import { dataErrors } from './problems.js';

/** File names and class names of the RSNA layout. */
export const RSNA_FILES = {
  labels: 'stage_2_train_labels.csv',
  classes: 'stage_2_detailed_class_info.csv',
  images: 'stage_2_train_images',
  positiveClass: 'Lung Opacity',
  negativeClass: 'Normal',
} as const;

/** Options of `openRsnaDataset`; paths default to the Kaggle layout under the root. */
export interface RsnaOptions extends DatasetOptions {
  readonly labelsFile?: string;
  /** The class file; default `<root>/stage_2_detailed_class_info.csv` when it exists. */
  readonly classFile?: string;
  readonly imagesDir?: string;
  /** `paper` (default): keep Lung Opacity vs Normal when a class file exists; `all`: every patient, label = Target. */
  readonly classes?: 'paper' | 'all';
}

interface BoxRow {
  readonly line: number;
  readonly box: Box;
}

const BOX_COLUMNS = ['x', 'y', 'width', 'height'] as const;

/** Parses the box fields of one labels row; returns null for a negative row, throws a `DataError` on bad values. */
function parseBoxRow(file: string, row: CsvRow): Box | null {
  const target = row.values.Target!.trim();
  if (target !== '0' && target !== '1') throw dataErrors.badValue(file, row.line, 'Target', target, '0 or 1');
  const fields = BOX_COLUMNS.map((c) => row.values[c]!.trim());
  if (target === '0') {
    BOX_COLUMNS.forEach((c, i) => {
      if (fields[i] !== '') throw dataErrors.badValue(file, row.line, c, fields[i]!, 'empty on a Target 0 row');
    });
    return null;
  }
  const numbers = fields.map((f, i) => {
    const n = f === '' ? NaN : Number(f);
    const positive = i >= 2;
    if (!Number.isFinite(n) || n < 0 || (positive && n === 0)) {
      throw dataErrors.badValue(file, row.line, BOX_COLUMNS[i]!, f, positive ? 'a positive number of pixels' : 'a non-negative pixel coordinate');
    }
    return n;
  });
  return { x: numbers[0]!, y: numbers[1]!, width: numbers[2]!, height: numbers[3]! };
}

async function readClasses(file: string, options: RsnaOptions, log: ProblemLog): Promise<Map<string, { cls: string; line: number }>> {
  const table = await readCsv(file, { columns: [{ name: 'patientId' }, { name: 'class' }], skipBad: options.skipBad ?? false });
  log.add(table.problems);
  const out = new Map<string, { cls: string; line: number }>();
  for (const row of table.rows) {
    const id = row.values.patientId!.trim();
    const cls = row.values.class!.trim();
    const before = out.get(id);
    // The class file repeats a patient once per box; repeats must agree.
    if (before && before.cls !== cls) log.fail(dataErrors.conflictingLabels(file, row.line, 'class', id), id);
    else if (!before) out.set(id, { cls, line: row.line });
  }
  return out;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Opens an RSNA pneumonia dataset folder: reads labels, classes and splits, lists the images, loads nothing else. */
export async function openRsnaDataset(root: string, options: RsnaOptions = {}): Promise<Dataset> {
  const labelsFile = options.labelsFile ?? path.join(root, RSNA_FILES.labels);
  const imagesDir = options.imagesDir ?? path.join(root, RSNA_FILES.images);
  const defaultClassFile = path.join(root, RSNA_FILES.classes);
  const classFile = options.classFile ?? ((await exists(defaultClassFile)) ? defaultClassFile : undefined);
  const readImage = options.readImage ?? defaultImageReader;
  const log = new ProblemLog(options.skipBad ?? false);

  const table = await readCsv(labelsFile, {
    columns: [{ name: 'patientId' }, ...BOX_COLUMNS.map((name) => ({ name })), { name: 'Target' }],
    skipBad: options.skipBad ?? false,
  });
  log.add(table.problems);

  const boxesById = new Map<string, BoxRow[]>();
  const negativeLine = new Map<string, number>();
  const bad = new Set<string>();
  const drop = (id: string): void => {
    bad.add(id);
    boxesById.delete(id);
    negativeLine.delete(id);
  };
  for (const row of table.rows) {
    const id = row.values.patientId!.trim();
    if (id === '') {
      log.fail(dataErrors.badValue(labelsFile, row.line, 'patientId', id, 'a patient id'));
      continue;
    }
    if (bad.has(id)) continue;
    let box: Box | null;
    try {
      box = parseBoxRow(labelsFile, row);
    } catch (error) {
      log.fail(error as DataError, id);
      drop(id);
      continue;
    }
    const boxes = boxesById.get(id);
    if (box === null) {
      if (negativeLine.has(id)) {
        log.fail(dataErrors.duplicateId(labelsFile, row.line, 'patientId', id, negativeLine.get(id)!), id);
        drop(id);
      } else if (boxes && boxes.length > 0) {
        log.fail(dataErrors.conflictingLabels(labelsFile, row.line, 'Target', id), id);
        drop(id);
      } else {
        negativeLine.set(id, row.line);
        boxesById.set(id, []);
      }
      continue;
    }
    if (negativeLine.has(id)) {
      log.fail(dataErrors.conflictingLabels(labelsFile, row.line, 'Target', id), id);
      drop(id);
      continue;
    }
    boxesById.set(id, [...(boxes ?? []), { line: row.line, box }]);
  }

  let ids = [...boxesById.keys()];
  if (classFile !== undefined) {
    const classes = await readClasses(classFile, options, log);
    const kept: string[] = [];
    for (const id of ids) {
      const entry = classes.get(id);
      const positive = boxesById.get(id)!.length > 0;
      if (!entry) {
        const line = positive ? boxesById.get(id)![0]!.line : negativeLine.get(id)!;
        log.fail(dataErrors.unknownId(labelsFile, line, 'patientId', id, classFile), id);
        continue;
      }
      if ((entry.cls === RSNA_FILES.positiveClass) !== positive) {
        log.fail(dataErrors.conflictingLabels(classFile, entry.line, 'class', id), id);
        continue;
      }
      if ((options.classes ?? 'paper') === 'paper' && entry.cls !== RSNA_FILES.positiveClass && entry.cls !== RSNA_FILES.negativeClass) continue;
      kept.push(id);
    }
    for (const [id, entry] of classes) {
      if (!boxesById.has(id) && !bad.has(id)) log.fail(dataErrors.unknownId(classFile, entry.line, 'patientId', id, labelsFile), id);
    }
    ids = kept;
  }

  const files = await listImageFiles(imagesDir, ['.dcm', '.dicom'], log, 'the DICOM folder');
  const present: string[] = [];
  for (const id of ids) {
    if (files.has(id)) present.push(id);
    else log.fail(dataErrors.missingFile(path.join(imagesDir, `${id}.dcm`), 'the DICOM file', id), id);
  }
  const labelled = new Set(table.rows.map((row) => row.values.patientId!.trim()));
  const splits = await resolveSplits(present, labelsFile, options, log, labelled);

  const items: DatasetItem[] = [];
  for (const id of present) {
    const split = splits.get(id);
    if (split === undefined) continue;
    const rows = boxesById.get(id)!;
    const source = files.get(id)!;
    items.push({
      id,
      split,
      label: rows.length > 0 ? 1 : 0,
      source,
      annotation: { kind: 'boxes', count: rows.length },
      loadImage: () => readImage(source),
      loadGroundTruth: async (size: Size): Promise<GroundTruth> => {
        for (const { line, box } of rows) {
          // Half a pixel of slack: boxes drawn on the full image may end on its last edge.
          if (box.x + box.width > size.width + 0.5 || box.y + box.height > size.height + 0.5) {
            throw dataErrors.boxOutside(labelsFile, line, `(${box.x}, ${box.y}, ${box.width}, ${box.height})`, `${size.width}x${size.height}`);
          }
        }
        return { kind: 'boxes', boxes: rows.map((r) => r.box), width: size.width, height: size.height };
      },
    });
  }
  return datasetFromItems('rsna', root, items, log.problems);
}

