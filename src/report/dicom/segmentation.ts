/**
 * Thresholded saliency maps as a binary DICOM Segmentation (PS3.3 A.51): one segment per map (method),
 * one 1-bit frame per segment on the source image's grid, each frame derived from the source image.
 */
import { checkGrid, checkIdentity } from './checks.js';
import {
  commonInstanceReference,
  derivationImageItem,
  frameOfReferenceModule,
  littleEndianBuffer,
  patientStudyModules,
  pixelMeasures,
  seriesInstanceModules,
} from './common.js';
import { dicomExportErrors } from './messages.js';
import { codes, dicomText, methodCode } from './text.js';
import { hashUid } from './uid.js';
import type { DerivedInstance, DicomDataset, DicomSourceImage } from './types.js';

/** Segmentation Storage. */
export const segmentationSopClassUid = '1.2.840.10008.5.1.4.1.1.66.4';

/** One segment: a binary mask on the source's grid and what it is. */
export interface SegmentInput {
  /** Method id, e.g. `grad-cam` (the segmented property type, a private code). */
  readonly method: string;
  /** Segment Label, e.g. `GCAM > 0.4213`. */
  readonly label: string;
  /** Segment Algorithm Name, e.g. `heatcheck grad-cam`. */
  readonly algorithmName: string;
  /** How the mask was made (Segment Description), e.g. the threshold and its rule. */
  readonly description: string;
  /** Row-major, non-zero = inside; length rows x columns of the source. */
  readonly mask: Uint8Array;
}

/** What `segmentationDataset` writes. */
export interface SegmentationInput {
  readonly source: DicomSourceImage;
  readonly instance: DerivedInstance;
  readonly segments: readonly SegmentInput[];
  /** Content Description, e.g. `saliency of small-cnn-r1 above the audit's Otsu thresholds`. */
  readonly description: string;
}

/** Packs masks into 1-bit pixel data: pixel i of the concatenated frames is bit i % 8 of byte i / 8 (PS3.5 8.1.1). */
export function packBits(masks: readonly Uint8Array[]): Uint8Array {
  const total = masks.reduce((n, m) => n + m.length, 0);
  const out = new Uint8Array(Math.ceil(total / 8) + (Math.ceil(total / 8) % 2)); // even length
  let i = 0;
  for (const mask of masks) {
    for (let k = 0; k < mask.length; k++, i++) if (mask[k]) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

/**
 * The Segmentation's data set (dcmjs naturalised form; encode it with `encodeDicomFile`). Segments
 * may overlap (each is one method's region). Patient identifiers are empty (see `patientStudyModules`).
 * Throws a UsageError without segments or when a mask is not on the source grid.
 */
export function segmentationDataset(input: SegmentationInput): DicomDataset {
  const { source, instance, segments } = input;
  checkIdentity(source, instance);
  if (segments.length === 0) throw dicomExportErrors.noSegments();
  for (const s of segments) checkGrid(`the mask of segment "${s.label}"`, s.mask.length, source.columns, source.rows, source);
  const organization = hashUid('dimension-organization', 'segment');
  return {
    ...seriesInstanceModules(instance, segmentationSopClassUid, 'SEG'),
    ...patientStudyModules(source),
    // A segmentation has a Frame of Reference only when its source has one (PS3.3 A.51.3).
    ...(source.frameOfReferenceUid ? frameOfReferenceModule(source.frameOfReferenceUid) : {}),
    ImageType: ['DERIVED', 'PRIMARY'],
    PatientOrientation: source.patientOrientation ? [...source.patientOrientation] : '',
    ContentLabel: 'SALIENCY_MAP',
    ContentDescription: dicomText(input.description, 'LO'),
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: source.rows,
    Columns: source.columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    SegmentsOverlap: 'YES',
    SegmentSequence: segments.map((s, k) => ({
      SegmentNumber: k + 1,
      SegmentLabel: dicomText(s.label, 'LO'),
      SegmentDescription: dicomText(s.description, 'ST'),
      SegmentAlgorithmType: 'AUTOMATIC',
      SegmentAlgorithmName: dicomText(s.algorithmName, 'LO'),
      SegmentedPropertyCategoryCodeSequence: [{ ...codes.saliencyCategory }],
      SegmentedPropertyTypeCodeSequence: [{ ...methodCode(s.method, `${s.method} saliency above threshold`) }],
    })),
    NumberOfFrames: segments.length,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: organization }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: organization, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'Segment Number' },
    ],
    SharedFunctionalGroupsSequence: [{ ...pixelMeasures(source) }],
    PerFrameFunctionalGroupsSequence: segments.map((s, k) => ({
      DerivationImageSequence: [derivationImageItem(source, s.description)],
      FrameContentSequence: [{ DimensionIndexValues: [k + 1] }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: k + 1 }],
    })),
    ...commonInstanceReference(source),
    PixelData: [littleEndianBuffer(packBits(segments.map((s) => s.mask)))],
    _vrMap: { PixelData: 'OB' },
  };
}
