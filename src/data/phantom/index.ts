/** The phantom chest X-ray generator: in-memory samples and datasets, and the file writer. */
export {
  drawPhantom,
  generatePhantom,
  openPhantomDataset,
  planPhantom,
  resolvePhantomOptions,
  type PhantomItemInfo,
  type PhantomOptions,
  type PhantomSample,
  type PhantomShortcutOptions,
  type ResolvedPhantomOptions,
} from './generate.js';
export type { PhantomLesion, PhantomShortcutKind } from './render.js';
export { writeDicomImage, TRANSFER_SYNTAX_UIDS, type DicomImageAttributes, type PhantomTransferSyntax } from './dicom-writer.js';
export { encodeGreyJpeg } from './jpeg.js';
export { PHANTOM_SPLIT_FILES, writePhantomDataset, type WritePhantomOptions, type WrittenPhantom } from './write.js';
