/**
 * The data layer's public surface: decoding, datasets, splits, the phantom generator. Each module adds
 * its exports here.
 */
export { decodeSiimRle, encodeSiimRle, siimRleExtent, type DecodeRleOptions } from './rle.js';
export { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from './atomic.js';
export { formatCsv, parseCsv, readCsv, writeCsvAtomic, type ColumnSpec, type CsvRow, type CsvTable, type ReadCsvOptions } from './csv.js';
export { dataErrors, problemFrom, type DataProblem, type Where } from './problems.js';
export {
  datasetFromItems,
  defaultImageReader,
  loadItem,
  loadItems,
  maskFromImage,
  type AnnotationSummary,
  type Dataset,
  type DatasetFormat,
  type DatasetItem,
  type DatasetOptions,
  type ImageReader,
  type LoadedItem,
  type LoadItemsOptions,
} from './dataset.js';
export { readSplitFile, seededSplit, splitImageId, SPLITS, type SeededSplitOptions, type Split } from './splits.js';
export { openSiimDataset, SIIM_FILES, type SiimOptions } from './siim.js';
export { openRsnaDataset, RSNA_FILES, type RsnaOptions } from './rsna.js';
export { openFolderDataset, FOLDER_FILES, type FolderOptions } from './folder.js';
export { detectDatasetFormat, openDataset, type DiskFormat, type OpenDatasetOptions } from './open.js';
export { checkDataset, formatCheckReport, type CheckOptions, type DatasetCheckReport, type ProblemGroup, type SplitCounts } from './check.js';
export * from './phantom/index.js';
export * from './dicom/index.js';
export { readImage, decodeImage, type ReadImageOptions } from './read-image.js';
export { decodePng, decodeJpeg, encodePng, encodeGreyPng, writePng, isPng, isJpeg, rasterToGrey, type RasterImage, type PngInput } from './image-io.js';
export { createDecodePool, type DecodePool, type DecodePoolOptions } from './decode-pool.js';
