/**
 * Opens any supported dataset folder: the format from an option or from the files present, and the
 * paper-style split file picked up from the folder when one is there and none was given.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, DatasetOptions } from './dataset.js';
import { FOLDER_FILES, openFolderDataset } from './folder.js';
import { PHANTOM_SPLIT_FILES } from './phantom/write.js';
import { dataErrors } from './problems.js';
import { openRsnaDataset, RSNA_FILES } from './rsna.js';
import { openSiimDataset, SIIM_FILES } from './siim.js';

/** The on-disk layouts `openDataset` understands. */
export type DiskFormat = 'siim' | 'rsna' | 'folder';

/** Options of `openDataset`: the shared dataset options plus an explicit format. */
export interface OpenDatasetOptions extends DatasetOptions {
  readonly format?: DiskFormat;
}

const SPLIT_FILE_NAMES: Readonly<Record<DiskFormat, string>> = {
  siim: PHANTOM_SPLIT_FILES.siim,
  rsna: PHANTOM_SPLIT_FILES.rsna,
  folder: 'splits.csv',
};

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Tells the layout of a dataset folder from its label file, or throws `unknown-format`. */
export async function detectDatasetFormat(root: string): Promise<DiskFormat> {
  if (await exists(path.join(root, SIIM_FILES.labels))) return 'siim';
  if (await exists(path.join(root, RSNA_FILES.labels))) return 'rsna';
  if (await exists(path.join(root, FOLDER_FILES.labels))) return 'folder';
  if (!(await exists(root))) throw dataErrors.missingDataset(root, 'the dataset folder', 'check the path');
  throw dataErrors.unknownFormat(root);
}

/** Opens a SIIM-ACR, RSNA or folder dataset, detecting the format and split file when not given. */
export async function openDataset(root: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  const format = options.format ?? (await detectDatasetFormat(root));
  const found = path.join(root, SPLIT_FILE_NAMES[format]);
  const splitFile = options.splitFile ?? ((await exists(found)) ? found : undefined);
  const resolved: DatasetOptions = { ...options, ...(splitFile !== undefined ? { splitFile } : {}) };
  switch (format) {
    case 'siim':
      return openSiimDataset(root, resolved);
    case 'rsna':
      return openRsnaDataset(root, resolved);
    case 'folder':
      return openFolderDataset(root, resolved);
  }
}
