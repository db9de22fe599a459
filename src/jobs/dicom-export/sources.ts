/**
 * The source image behind each image key of a run, for the references of derived DICOM objects. The
 * dataset is reopened from the run's config and the audit's selection repeated (its item list must hash
 * to what the run recorded). A DICOM source gives its own UIDs, grid, spacing and orientation from its
 * header; PNG, JPEG and phantom sources get UIDs generated from the SHA-256 of their bytes (`hashUid`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashBytes } from '../../core/hash.js';
import { criteriaSettings, type AuditConfig } from '../../config/index.js';
import { decodeJpeg, decodePng, isJpeg, isPng, readDicomAttributes, type DatasetItem } from '../../data/index.js';
import { hashUid, secondaryCaptureSopClassUid, type DicomSourceImage, type DicomSourceKind } from '../../report/index.js';
import { datasetItemsHash, openAuditDataset, selectAuditItems, imageKey } from '../audit/data.js';
import { exportErrors } from './messages.js';

/** Source UIDs generated from a content hash: each such image is its own study and series. */
function generated(kind: DicomSourceKind, contentHash: string, rows: number, columns: number): DicomSourceImage {
  return {
    kind,
    rows,
    columns,
    studyInstanceUid: hashUid('source-study', contentHash),
    seriesInstanceUid: hashUid('source-series', contentHash),
    sopInstanceUid: hashUid('source-instance', contentHash),
    sopClassUid: secondaryCaptureSopClassUid,
  };
}

/** The source image of one dataset item (reads its header, or its bytes for PNG/JPEG, or renders the phantom). */
export async function sourceImageOf(item: DatasetItem, phantom: boolean): Promise<DicomSourceImage> {
  if (phantom) {
    const image = await item.loadImage();
    return generated('phantom', hashBytes(image.pixels), image.height, image.width);
  }
  const buffer = await readFile(item.source);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (isPng(bytes) || isJpeg(bytes)) {
    const raster = isPng(bytes) ? decodePng(bytes, item.source) : decodeJpeg(bytes, item.source);
    return generated(isPng(bytes) ? 'png' : 'jpeg', hashBytes(bytes), raster.height, raster.width);
  }
  const a = readDicomAttributes(bytes, { source: item.source }).attributes;
  const ids = a.identifiers;
  const contentHash = hashBytes(bytes);
  const spacing = a.pixelSpacing ?? a.imagerPixelSpacing;
  const orientation = a.patientOrientation?.split('\\');
  return {
    kind: 'dicom',
    rows: a.rows,
    columns: a.columns,
    // A header without a UID still needs one in the reference: generated as for PNG sources (the manifest says so).
    studyInstanceUid: ids.studyInstanceUid ?? hashUid('source-study', contentHash),
    seriesInstanceUid: ids.seriesInstanceUid ?? hashUid('source-series', contentHash),
    sopInstanceUid: ids.sopInstanceUid ?? hashUid('source-instance', contentHash),
    sopClassUid: a.sopClassUid ?? secondaryCaptureSopClassUid,
    ...(ids.frameOfReferenceUid ? { frameOfReferenceUid: ids.frameOfReferenceUid } : {}),
    ...(spacing && spacing.length >= 2 ? { pixelSpacing: [spacing[0]!, spacing[1]!] as const } : {}),
    ...(orientation?.length === 2 ? { patientOrientation: [orientation[0]!, orientation[1]!] as const } : {}),
  };
}

/**
 * Reopens the run's dataset and maps each image key to its dataset item. `config` is the run's resolved
 * config, `baseDir` what its relative paths resolve against, `itemsHash` the run's `inputs.dataset.items`.
 */
export async function runSourceItems(config: AuditConfig, baseDir: string, runDir: string, itemsHash: string, keys: readonly string[]): Promise<{ readonly items: ReadonlyMap<string, DatasetItem>; readonly phantom: boolean }> {
  const dataset = await openAuditDataset(config, baseDir);
  const { items, selection } = selectAuditItems(dataset, criteriaSettings(config));
  const found = datasetItemsHash(items);
  if (found !== itemsHash) throw exportErrors.datasetChanged(path.join(runDir, 'results.json'), itemsHash, found);
  const byKey = new Map<string, DatasetItem>();
  selection.items.forEach((item, k) => byKey.set(imageKey(k), item));
  for (const key of keys) if (!byKey.has(key)) throw exportErrors.datasetChanged(path.join(runDir, 'results.json'), itemsHash, `${found} (no image ${key})`);
  return { items: byKey, phantom: dataset.format === 'phantom' };
}
