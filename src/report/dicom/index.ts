/** DICOM export of saliency maps: Parametric Map (float maps) and Segmentation (thresholded maps), as pure builders plus a Part 10 encoder. */
export { parametricMapDataset, parametricMapSopClassUid, type ParametricMapInput } from './parametric-map.js';
export { segmentationDataset, segmentationSopClassUid, packBits, type SegmentInput, type SegmentationInput } from './segmentation.js';
export { encodeDicomFile, explicitVrLittleEndian } from './encode.js';
export { hashUid } from './uid.js';
export { deidentificationMethod, secondaryCaptureSopClassUid } from './common.js';
export { DicomExportErrorCode } from './messages.js';
export type { DerivedInstance, DicomDataset, DicomSourceImage, DicomSourceKind } from './types.js';
