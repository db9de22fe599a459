/**
 * Writes a phantom dataset as real files in the public datasets' layouts, so the same readers load it:
 * - pneumothorax -> SIIM-ACR: `dicom-images-train/<study>/<series>/<uid>.dcm`, `train-rle.csv`
 *   (one row per lesion region, `-1` for negatives), `pneumothorax_splits.csv`;
 * - pneumonia -> RSNA: `stage_2_train_images/<patientId>.dcm`, `stage_2_train_labels.csv`,
 *   `stage_2_detailed_class_info.csv` (Lung Opacity / Normal), `pneumonia_splits.csv`.
 * Both add `shortcut-rle.csv` (the marker masks, SIIM encoding) and `phantom.json` (resolved options).
 * Everything is written into a temporary sibling folder that is renamed into place at the end, so an
 * interrupted run leaves nothing half-written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProgressReporter } from '../../core/types.js';
import { formatCsv } from '../csv.js';
import { dataErrors } from '../problems.js';
import { RSNA_FILES } from '../rsna.js';
import { encodeSiimRle } from '../rle.js';
import { SIIM_FILES } from '../siim.js';
import { drawPhantom, planPhantom, resolvePhantomOptions, type PhantomOptions, type ResolvedPhantomOptions } from './generate.js';
import { writeDicomImage, type PhantomTransferSyntax } from './dicom-writer.js';

/** Options of `writePhantomDataset`: the generator's options plus how to store the files. */
export interface WritePhantomOptions extends PhantomOptions {
  /** Pixel encoding of the DICOM files; default `jpeg-baseline` (as SIIM-ACR stores them). */
  readonly transferSyntax?: PhantomTransferSyntax;
  /** JPEG quality 1..100; default 95. */
  readonly jpegQuality?: number;
  /** Replace an existing output folder; default false (an existing folder is an error). */
  readonly overwrite?: boolean;
  readonly onProgress?: ProgressReporter;
}

/** What was written. */
export interface WrittenPhantom {
  readonly root: string;
  readonly format: 'siim' | 'rsna';
  /** The split file, to pass as `splitFile` when opening. */
  readonly splitFile: string;
  readonly options: ResolvedPhantomOptions;
  readonly count: number;
  readonly positives: number;
}

/** The split-file names the paper's repository uses. */
export const PHANTOM_SPLIT_FILES = { siim: 'pneumothorax_splits.csv', rsna: 'pneumonia_splits.csv' } as const;

async function exists(target: string): Promise<boolean> {
  return stat(target).then(
    () => true,
    () => false,
  );
}

/** Generates a phantom dataset and writes it under `root` (SIIM layout for pneumothorax, RSNA for pneumonia). */
export async function writePhantomDataset(root: string, options: WritePhantomOptions = {}): Promise<WrittenPhantom> {
  const resolved = resolvePhantomOptions(options);
  const syntax = options.transferSyntax ?? 'jpeg-baseline';
  const format = resolved.lesion === 'pneumothorax' ? 'siim' : 'rsna';
  const target = path.resolve(root);
  if ((await exists(target)) && !options.overwrite) throw dataErrors.outputExists(target);
  const temp = `${target}.partial-${randomBytes(4).toString('hex')}`;
  const plan = planPhantom(resolved);
  const { width, height } = resolved;

  try {
    await mkdir(temp, { recursive: true });
    const labelRows: (string | number)[][] = [];
    const classRows: string[][] = [];
    const shortcutRows: string[][] = [];
    const imagesDir = path.join(temp, format === 'siim' ? SIIM_FILES.images : RSNA_FILES.images);
    let done = 0;
    for (const info of plan) {
      const sample = drawPhantom(resolved, info);
      const bytes = Uint8Array.from(sample.image.pixels, (v) => Math.round(v * 255));
      const dicom = writeDicomImage(
        bytes,
        width,
        height,
        {
          sopInstanceUid: format === 'siim' ? info.id : `${info.studyUid}.1.1`,
          studyInstanceUid: info.studyUid,
          seriesInstanceUid: info.seriesUid,
          patientId: format === 'rsna' ? info.id : `phantom-${info.index}`,
          instanceNumber: 1,
          comments: `heatcheck phantom seed ${resolved.seed} index ${info.index}`,
        },
        syntax,
        options.jpegQuality ?? 95,
      );
      const file =
        format === 'siim' ? path.join(imagesDir, info.studyUid, info.seriesUid, `${info.id}.dcm`) : path.join(imagesDir, `${info.id}.dcm`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, dicom);

      if (format === 'siim') {
        if (sample.lesionParts.length === 0) labelRows.push([info.id, ' -1']);
        for (const part of sample.lesionParts) labelRows.push([info.id, ` ${encodeSiimRle(part, width, height)}`]);
      } else {
        if (sample.boxes.length === 0) labelRows.push([info.id, '', '', '', '', 0]);
        for (const b of sample.boxes) labelRows.push([info.id, b.x, b.y, b.width, b.height, 1]);
        const cls = info.label === 1 ? RSNA_FILES.positiveClass : RSNA_FILES.negativeClass;
        for (let k = 0; k < Math.max(sample.boxes.length, 1); k++) classRows.push([info.id, cls]);
      }
      shortcutRows.push([info.id, ` ${encodeSiimRle(sample.shortcutMask.data, width, height)}`]);
      options.onProgress?.({ stage: 'phantom', done: ++done, total: plan.length });
    }

    if (format === 'siim') {
      await writeFile(path.join(temp, SIIM_FILES.labels), formatCsv([SIIM_FILES.idColumn, SIIM_FILES.rleColumn], labelRows));
    } else {
      await writeFile(path.join(temp, RSNA_FILES.labels), formatCsv(['patientId', 'x', 'y', 'width', 'height', 'Target'], labelRows));
      await writeFile(path.join(temp, RSNA_FILES.classes), formatCsv(['patientId', 'class'], classRows));
    }
    // Split file rows ordered train, val, test as in the paper's files.
    const order = ['train', 'val', 'test'];
    const splitRows = [...plan]
      .sort((a, b) => order.indexOf(a.split) - order.indexOf(b.split) || a.index - b.index)
      .map((info, k) => [k, info.id, info.split]);
    await writeFile(path.join(temp, PHANTOM_SPLIT_FILES[format]), formatCsv(['index', 'Image_ID', 'Split'], splitRows));
    await writeFile(path.join(temp, 'shortcut-rle.csv'), formatCsv([SIIM_FILES.idColumn, SIIM_FILES.rleColumn], shortcutRows));
    const summary = {
      generator: 'heatcheck-phantom',
      format,
      transferSyntax: syntax,
      jpegQuality: options.jpegQuality ?? 95,
      options: resolved,
      items: plan.map((p) => ({ id: p.id, index: p.index, label: p.label, split: p.split, shortcut: p.hasShortcut })),
    };
    await writeFile(path.join(temp, 'phantom.json'), `${JSON.stringify(summary, null, 1)}\n`);

    if (await exists(target)) {
      const old = `${target}.old-${randomBytes(4).toString('hex')}`;
      await rename(target, old);
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target);
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return {
    root: target,
    format,
    splitFile: path.join(target, PHANTOM_SPLIT_FILES[format]),
    options: resolved,
    count: plan.length,
    positives: plan.filter((p) => p.label === 1).length,
  };
}
