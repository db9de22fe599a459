/**
 * The DICOM tags heatcheck reads, as 32-bit numbers `(group << 16) | element`, with their keywords
 * for messages and the VR to assume when a file uses implicit VR (no VR is stored then).
 */

/** A tag as `(group << 16 | element) >>> 0`. */
export type Tag = number;

/** Makes a tag number from its group and element. */
export function tag(group: number, element: number): Tag {
  return ((group << 16) | element) >>> 0;
}

/** Formats a tag as `(7FE0,0010)`. */
export function formatTag(t: Tag): string {
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
  return `(${hex(t >>> 16)},${hex(t & 0xffff)})`;
}

/** Tags used by the reader, by keyword. */
export const Tags = {
  TransferSyntaxUID: tag(0x0002, 0x0010),
  MediaStorageSOPClassUID: tag(0x0002, 0x0002),
  SpecificCharacterSet: tag(0x0008, 0x0005),
  ImageType: tag(0x0008, 0x0008),
  SOPClassUID: tag(0x0008, 0x0016),
  SOPInstanceUID: tag(0x0008, 0x0018),
  StudyDate: tag(0x0008, 0x0020),
  SeriesDate: tag(0x0008, 0x0021),
  AcquisitionDate: tag(0x0008, 0x0022),
  ContentDate: tag(0x0008, 0x0023),
  AccessionNumber: tag(0x0008, 0x0050),
  Modality: tag(0x0008, 0x0060),
  Manufacturer: tag(0x0008, 0x0070),
  InstitutionName: tag(0x0008, 0x0080),
  ReferringPhysicianName: tag(0x0008, 0x0090),
  StudyDescription: tag(0x0008, 0x1030),
  SeriesDescription: tag(0x0008, 0x103e),
  ManufacturerModelName: tag(0x0008, 0x1090),
  PatientName: tag(0x0010, 0x0010),
  PatientID: tag(0x0010, 0x0020),
  PatientBirthDate: tag(0x0010, 0x0030),
  PatientSex: tag(0x0010, 0x0040),
  PatientAge: tag(0x0010, 0x1010),
  BodyPartExamined: tag(0x0018, 0x0015),
  ImagerPixelSpacing: tag(0x0018, 0x1164),
  ViewPosition: tag(0x0018, 0x5101),
  StudyInstanceUID: tag(0x0020, 0x000d),
  SeriesInstanceUID: tag(0x0020, 0x000e),
  StudyID: tag(0x0020, 0x0010),
  FrameOfReferenceUID: tag(0x0020, 0x0052),
  PatientOrientation: tag(0x0020, 0x0020),
  SamplesPerPixel: tag(0x0028, 0x0002),
  PhotometricInterpretation: tag(0x0028, 0x0004),
  PlanarConfiguration: tag(0x0028, 0x0006),
  NumberOfFrames: tag(0x0028, 0x0008),
  Rows: tag(0x0028, 0x0010),
  Columns: tag(0x0028, 0x0011),
  PixelSpacing: tag(0x0028, 0x0030),
  BitsAllocated: tag(0x0028, 0x0100),
  BitsStored: tag(0x0028, 0x0101),
  HighBit: tag(0x0028, 0x0102),
  PixelRepresentation: tag(0x0028, 0x0103),
  PixelPaddingValue: tag(0x0028, 0x0120),
  PixelPaddingRangeLimit: tag(0x0028, 0x0121),
  WindowCenter: tag(0x0028, 0x1050),
  WindowWidth: tag(0x0028, 0x1051),
  RescaleIntercept: tag(0x0028, 0x1052),
  RescaleSlope: tag(0x0028, 0x1053),
  RescaleType: tag(0x0028, 0x1054),
  WindowCenterWidthExplanation: tag(0x0028, 0x1055),
  VOILUTFunction: tag(0x0028, 0x1056),
  LossyImageCompression: tag(0x0028, 0x2110),
  ModalityLUTSequence: tag(0x0028, 0x3000),
  LUTDescriptor: tag(0x0028, 0x3002),
  LUTExplanation: tag(0x0028, 0x3003),
  LUTData: tag(0x0028, 0x3006),
  VOILUTSequence: tag(0x0028, 0x3010),
  PresentationLUTShape: tag(0x2050, 0x0020),
  ExtendedOffsetTable: tag(0x7fe0, 0x0001),
  ExtendedOffsetTableLengths: tag(0x7fe0, 0x0002),
  FloatPixelData: tag(0x7fe0, 0x0008),
  DoubleFloatPixelData: tag(0x7fe0, 0x0009),
  PixelData: tag(0x7fe0, 0x0010),
  Item: tag(0xfffe, 0xe000),
  ItemDelimitation: tag(0xfffe, 0xe00d),
  SequenceDelimitation: tag(0xfffe, 0xe0dd),
} as const;

const keywordByTag = new Map<Tag, string>(Object.entries(Tags).map(([k, v]) => [v, k]));

/** `(0028,0010) Rows` for a known tag, `(0009,1001)` otherwise. */
export function describeTag(t: Tag): string {
  const keyword = keywordByTag.get(t);
  return keyword ? `${formatTag(t)} ${keyword}` : formatTag(t);
}

/** Tags whose value is a sequence, so that an implicit-VR file's defined-length value can be parsed as items. */
export const sequenceTags: ReadonlySet<Tag> = new Set([Tags.ModalityLUTSequence, Tags.VOILUTSequence]);

/** The VR to assume for implicit-VR files, for tags whose binary value heatcheck reads. */
export const implicitVr: ReadonlyMap<Tag, string> = new Map([
  [Tags.SamplesPerPixel, 'US'],
  [Tags.PlanarConfiguration, 'US'],
  [Tags.Rows, 'US'],
  [Tags.Columns, 'US'],
  [Tags.BitsAllocated, 'US'],
  [Tags.BitsStored, 'US'],
  [Tags.HighBit, 'US'],
  [Tags.PixelRepresentation, 'US'],
  [Tags.PixelPaddingValue, 'US'],
  [Tags.PixelPaddingRangeLimit, 'US'],
  [Tags.LUTDescriptor, 'US'],
  [Tags.LUTData, 'OW'],
  [Tags.PixelData, 'OW'],
  [Tags.ModalityLUTSequence, 'SQ'],
  [Tags.VOILUTSequence, 'SQ'],
  [Tags.ExtendedOffsetTable, 'OV'],
  [Tags.ExtendedOffsetTableLengths, 'OV'],
]);
