/**
 * A final saliency map as a DICOM Parametric Map (PS3.3 A.75): one frame of 32-bit Float Pixel Data on
 * the source image's grid, the values as they are (no quantisation beyond float32), with a Real World
 * Value Mapping of slope 1 so a viewer shows the map's own values.
 */
import type { Map2D } from '../../core/types.js';
import { checkGrid, checkIdentity } from './checks.js';
import {
  commonInstanceReference,
  derivationImageItem,
  frameOfReferenceModule,
  littleEndianBuffer,
  patientStudyModules,
  seriesInstanceModules,
} from './common.js';
import { nominalPlane } from './geometry.js';
import { dicomExportErrors } from './messages.js';
import { codes, dicomText } from './text.js';
import { hashUid } from './uid.js';
import type { DerivedInstance, DicomDataset, DicomSourceImage } from './types.js';

/** Parametric Map Storage. */
export const parametricMapSopClassUid = '1.2.840.10008.5.1.4.1.1.30';

/** Image Type and Frame Type: derived, primary, a still image (STATIC), values that are a quantity (QUANTITY). */
const imageType = ['DERIVED', 'PRIMARY', 'STATIC', 'QUANTITY'];

/** What `parametricMapDataset` writes. */
export interface ParametricMapInput {
  readonly source: DicomSourceImage;
  readonly instance: DerivedInstance;
  /** The map on the source's grid (finite values; the audit's final maps are in [0, 1]). */
  readonly map: Map2D;
  /** Short label of the values, e.g. `GCAM` (LUT Label, at most 16 characters). */
  readonly label: string;
  /** What the values are, e.g. `grad-cam map of small-cnn-r1, post-processed to [0, 1]` (Content Description, LUT Explanation, Derivation Description). */
  readonly description: string;
}

/**
 * The Parametric Map's data set (dcmjs naturalised form; encode it with `encodeDicomFile`). Patient
 * identifiers are empty (see `patientStudyModules`); the source is referenced by study, series and
 * instance. Throws a UsageError when the map is not on the source grid or holds NaN or infinity.
 */
export function parametricMapDataset(input: ParametricMapInput): DicomDataset {
  const { source, instance, map } = input;
  checkIdentity(source, instance);
  checkGrid('the map', map.data.length, map.width, map.height, source);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < map.data.length; i++) {
    const v = map.data[i]!;
    if (!Number.isFinite(v)) throw dicomExportErrors.notFinite('the map', i, v);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const derivation = derivationImageItem(source, input.description);
  const plane = nominalPlane(source);
  return {
    ...seriesInstanceModules(instance, parametricMapSopClassUid, 'RWV'),
    ...patientStudyModules(source),
    ...frameOfReferenceModule(source.frameOfReferenceUid ?? instance.frameOfReferenceUid),
    ImageType: imageType,
    ContentQualification: 'RESEARCH',
    ContentLabel: 'SALIENCY_MAP',
    ContentDescription: dicomText(input.description, 'LO'),
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: source.rows,
    Columns: source.columns,
    BitsAllocated: 32,
    NumberOfFrames: 1,
    PresentationLUTShape: 'IDENTITY',
    LossyImageCompression: '00',
    BurnedInAnnotation: 'NO',
    RecognizableVisualFeatures: 'NO',
    AcquisitionContextSequence: [],
    ...dimensions('Frame'),
    SharedFunctionalGroupsSequence: [
      {
        ...plane.shared,
        DerivationImageSequence: [derivation],
        FrameAnatomySequence: [{ AnatomicRegionSequence: [{ ...codes.chest }], FrameLaterality: 'U' }],
        PixelValueTransformationSequence: [{ RescaleIntercept: 0, RescaleSlope: 1, RescaleType: 'US' }],
        // Shows [0, 1] (the final maps' range) from black to white.
        FrameVOILUTSequence: [{ WindowCenter: 0.5, WindowWidth: 1, VOILUTFunction: 'LINEAR' }],
        ParametricMapFrameTypeSequence: [{ FrameType: imageType }],
        RealWorldValueMappingSequence: [
          {
            DoubleFloatRealWorldValueFirstValueMapped: lo,
            DoubleFloatRealWorldValueLastValueMapped: hi,
            RealWorldValueIntercept: 0,
            RealWorldValueSlope: 1,
            LUTExplanation: dicomText(input.description, 'LO'),
            LUTLabel: dicomText(input.label, 'SH'),
            MeasurementUnitsCodeSequence: [{ ...codes.noUnits }],
            QuantityDefinitionSequence: [{ ValueType: 'CODE', ConceptNameCodeSequence: [{ CodeValue: '246205007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Quantity' }], ConceptCodeSequence: [{ ...codes.saliencyValue }] }],
          },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: [{ ...plane.position, FrameContentSequence: [{ DimensionIndexValues: [1], StackID: '1', InStackPositionNumber: 1 }] }],
    ...commonInstanceReference(source),
    FloatPixelData: [littleEndianBuffer(map.data)],
  };
}

/** Multi-frame Dimension module over the frames' stack position (maps of projection images have no plane position). */
function dimensions(label: string): DicomDataset {
  const organization = hashUid('dimension-organization', 'stack');
  return {
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: organization }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: organization, DimensionIndexPointer: 0x00209057, FunctionalGroupPointer: 0x00209111, DimensionDescriptionLabel: label },
    ],
  };
}
