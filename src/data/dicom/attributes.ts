/**
 * The attributes of a DICOM image that decoding and display need, read and checked once, plus the
 * descriptive and identifying attributes kept apart so that de-identified metadata is the default.
 */
import { dicomErrors } from './messages.js';
import type { DataSet, ParsedDicom } from './parser.js';
import { Tags, type Tag } from './tags.js';
import { TransferSyntaxes } from './transfer-syntax.js';

/** A lookup table (Modality or VOI LUT): output `data[i]` for stored input `firstMapped + i`, values of `bits` bits. */
export interface LookupTable {
  readonly firstMapped: number;
  readonly bits: number;
  readonly data: Uint16Array;
  readonly explanation: string | undefined;
}

/** Patient- and study-identifying attributes, only exposed in metadata when asked for. */
export interface DicomIdentifiers {
  readonly patientName?: string;
  readonly patientId?: string;
  readonly patientBirthDate?: string;
  readonly patientSex?: string;
  readonly patientAge?: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
  readonly frameOfReferenceUid?: string;
  readonly studyId?: string;
  readonly accessionNumber?: string;
  readonly studyDate?: string;
  readonly seriesDate?: string;
  readonly acquisitionDate?: string;
  readonly contentDate?: string;
  readonly institutionName?: string;
  readonly referringPhysicianName?: string;
}

/** The image attributes of a decoded DICOM file (defaults filled in where the standard allows). */
export interface DicomAttributes {
  readonly transferSyntaxUid: string;
  readonly transferSyntaxName: string | undefined;
  readonly sopClassUid: string | undefined;
  readonly modality: string | undefined;
  readonly rows: number;
  readonly columns: number;
  readonly numberOfFrames: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  readonly planarConfiguration: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0 = unsigned, 1 = two's complement. */
  readonly pixelRepresentation: number;
  /** Whether Rescale Slope/Intercept are present (slope 1 and intercept 0 are used otherwise). */
  readonly hasRescale: boolean;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly rescaleType: string | undefined;
  readonly modalityLut: LookupTable | undefined;
  readonly windowCenters: readonly number[];
  readonly windowWidths: readonly number[];
  readonly voiLutFunction: string | undefined;
  readonly voiLuts: readonly LookupTable[];
  readonly presentationLutShape: string | undefined;
  readonly pixelPaddingValue: number | undefined;
  readonly pixelPaddingRangeLimit: number | undefined;
  readonly lossyImageCompression: boolean | undefined;
  readonly imageType: readonly string[];
  readonly viewPosition: string | undefined;
  readonly bodyPartExamined: string | undefined;
  readonly patientOrientation: string | undefined;
  readonly pixelSpacing: readonly number[] | undefined;
  readonly imagerPixelSpacing: readonly number[] | undefined;
  readonly manufacturer: string | undefined;
  readonly manufacturerModelName: string | undefined;
  readonly identifiers: DicomIdentifiers;
}

const photometrics = new Set([
  'MONOCHROME1',
  'MONOCHROME2',
  'RGB',
  'YBR_FULL',
  'YBR_FULL_422',
  'YBR_PARTIAL_422',
  'YBR_PARTIAL_420',
  'YBR_ICT',
  'YBR_RCT',
]);

/** Reads and checks the image attributes; throws a DataError naming the tag when one is missing or invalid. */
export function readAttributes(parsed: ParsedDicom, source: string, warnings: string[]): DicomAttributes {
  const ds = parsed.dataset;
  const required = (t: Tag): number => {
    const v = ds.number(t);
    if (v === undefined) throw dicomErrors.missingAttribute(source, t);
    return v;
  };
  const rows = required(Tags.Rows);
  const columns = required(Tags.Columns);
  const bitsAllocated = required(Tags.BitsAllocated);
  if (rows < 1) throw dicomErrors.invalidAttribute(source, Tags.Rows, String(rows), 'at least 1');
  if (columns < 1) throw dicomErrors.invalidAttribute(source, Tags.Columns, String(columns), 'at least 1');
  if (![1, 8, 16, 32].includes(bitsAllocated)) {
    throw dicomErrors.unsupportedPixelFormat(source, Tags.BitsAllocated, `${bitsAllocated} bits allocated (expected 1, 8, 16 or 32)`);
  }
  let samplesPerPixel = ds.number(Tags.SamplesPerPixel);
  if (samplesPerPixel === undefined) {
    samplesPerPixel = 1;
    warnings.push('Samples per Pixel (0028,0002) missing: 1 assumed');
  }
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw dicomErrors.unsupportedPixelFormat(source, Tags.SamplesPerPixel, `${samplesPerPixel} samples per pixel (expected 1 or 3)`);
  }
  let photometric = ds.string(Tags.PhotometricInterpretation)?.toUpperCase();
  if (photometric === undefined) {
    photometric = samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB';
    warnings.push(`Photometric Interpretation (0028,0004) missing: ${photometric} assumed`);
  }
  if (photometric === 'PALETTE COLOR') {
    throw dicomErrors.unsupportedPixelFormat(source, Tags.PhotometricInterpretation, 'PALETTE COLOR images are not radiographs');
  }
  if (!photometrics.has(photometric)) {
    throw dicomErrors.unsupportedPixelFormat(source, Tags.PhotometricInterpretation, `photometric interpretation "${photometric}"`);
  }
  const expectedSamples = photometric.startsWith('MONOCHROME') ? 1 : 3;
  if (samplesPerPixel !== expectedSamples) {
    throw dicomErrors.invalidAttribute(source, Tags.SamplesPerPixel, String(samplesPerPixel), `${expectedSamples} for ${photometric}`);
  }
  const bitsStored = ds.number(Tags.BitsStored) ?? bitsAllocated;
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > bitsAllocated) {
    throw dicomErrors.invalidAttribute(source, Tags.BitsStored, String(bitsStored), `1 to Bits Allocated (${bitsAllocated})`);
  }
  let highBit = ds.number(Tags.HighBit) ?? bitsStored - 1;
  if (highBit < bitsStored - 1 || highBit > bitsAllocated - 1) {
    warnings.push(`High Bit (0028,0102) ${highBit} is inconsistent with Bits Stored ${bitsStored}: ${bitsStored - 1} used`);
    highBit = bitsStored - 1;
  }
  const pixelRepresentation = ds.number(Tags.PixelRepresentation) ?? 0;
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) {
    throw dicomErrors.invalidAttribute(source, Tags.PixelRepresentation, String(pixelRepresentation), '0 (unsigned) or 1 (signed)');
  }
  let numberOfFrames = 1;
  if (ds.has(Tags.NumberOfFrames)) {
    const n = ds.number(Tags.NumberOfFrames);
    if (n === undefined || !Number.isInteger(n) || n < 1) {
      if (n !== undefined && n !== 0) {
        throw dicomErrors.invalidAttribute(source, Tags.NumberOfFrames, ds.string(Tags.NumberOfFrames) ?? '(empty)', 'a positive integer');
      }
      warnings.push('Number of Frames (0028,0008) is empty or 0: 1 assumed');
    } else numberOfFrames = n;
  }
  const planarConfiguration = samplesPerPixel === 3 ? (ds.number(Tags.PlanarConfiguration) ?? 0) : 0;
  if (planarConfiguration !== 0 && planarConfiguration !== 1) {
    throw dicomErrors.invalidAttribute(source, Tags.PlanarConfiguration, String(planarConfiguration), '0 or 1');
  }

  const slope = ds.number(Tags.RescaleSlope);
  const intercept = ds.number(Tags.RescaleIntercept);
  if (slope === 0) warnings.push('Rescale Slope (0028,1053) is 0: 1 used');
  const windowCenters = ds.numbers(Tags.WindowCenter).filter((v) => Number.isFinite(v));
  const windowWidths = ds.numbers(Tags.WindowWidth).filter((v) => Number.isFinite(v));
  const paddingValue = ds.number(Tags.PixelPaddingValue);
  const paddingLimit = ds.number(Tags.PixelPaddingRangeLimit);
  const signedPadding = (v: number | undefined): number | undefined =>
    v === undefined ? undefined : pixelRepresentation === 1 && ds.vrOf(Tags.PixelPaddingValue) !== 'SS' && v >= 0x8000 ? v - 0x10000 : v;

  const lossy = ds.string(Tags.LossyImageCompression);
  const ts = TransferSyntaxes.get(parsed.transferSyntaxUid);
  const str = (t: Tag): string | undefined => ds.string(t);
  const identifiers: DicomIdentifiers = stripUndefined({
    patientName: str(Tags.PatientName),
    patientId: str(Tags.PatientID),
    patientBirthDate: str(Tags.PatientBirthDate),
    patientSex: str(Tags.PatientSex),
    patientAge: str(Tags.PatientAge),
    studyInstanceUid: str(Tags.StudyInstanceUID),
    seriesInstanceUid: str(Tags.SeriesInstanceUID),
    sopInstanceUid: str(Tags.SOPInstanceUID),
    frameOfReferenceUid: str(Tags.FrameOfReferenceUID),
    studyId: str(Tags.StudyID),
    accessionNumber: str(Tags.AccessionNumber),
    studyDate: str(Tags.StudyDate),
    seriesDate: str(Tags.SeriesDate),
    acquisitionDate: str(Tags.AcquisitionDate),
    contentDate: str(Tags.ContentDate),
    institutionName: str(Tags.InstitutionName),
    referringPhysicianName: str(Tags.ReferringPhysicianName),
  });
  const spacing = (t: Tag): number[] | undefined => {
    const v = ds.numbers(t).filter((x) => Number.isFinite(x));
    return v.length ? v : undefined;
  };
  const modalityLutItem = ds.items(Tags.ModalityLUTSequence)[0];
  return {
    transferSyntaxUid: parsed.transferSyntaxUid,
    transferSyntaxName: ts?.name,
    sopClassUid: str(Tags.SOPClassUID) ?? parsed.meta?.string(Tags.MediaStorageSOPClassUID),
    modality: str(Tags.Modality),
    rows,
    columns,
    numberOfFrames,
    samplesPerPixel,
    photometricInterpretation: photometric,
    planarConfiguration,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    hasRescale: slope !== undefined || intercept !== undefined,
    rescaleSlope: slope === undefined || slope === 0 ? 1 : slope,
    rescaleIntercept: intercept ?? 0,
    rescaleType: str(Tags.RescaleType),
    modalityLut: modalityLutItem ? readLut(modalityLutItem, warnings, 'Modality LUT') : undefined,
    windowCenters,
    windowWidths,
    voiLutFunction: str(Tags.VOILUTFunction)?.toUpperCase(),
    voiLuts: ds
      .items(Tags.VOILUTSequence)
      .map((item) => readLut(item, warnings, 'VOI LUT'))
      .filter((l): l is LookupTable => l !== undefined),
    presentationLutShape: str(Tags.PresentationLUTShape)?.toUpperCase(),
    pixelPaddingValue: signedPadding(paddingValue),
    pixelPaddingRangeLimit: signedPadding(paddingLimit),
    lossyImageCompression: lossy === undefined ? undefined : lossy === '01',
    imageType: ds.strings(Tags.ImageType),
    viewPosition: str(Tags.ViewPosition),
    bodyPartExamined: str(Tags.BodyPartExamined),
    patientOrientation: str(Tags.PatientOrientation),
    pixelSpacing: spacing(Tags.PixelSpacing),
    imagerPixelSpacing: spacing(Tags.ImagerPixelSpacing),
    manufacturer: str(Tags.Manufacturer),
    manufacturerModelName: str(Tags.ManufacturerModelName),
    identifiers,
  };
}

/** Reads one LUT item; a malformed LUT is skipped with a warning (it only affects an optional display step). */
function readLut(item: DataSet, warnings: string[], what: string): LookupTable | undefined {
  const descriptor = item.numbers(Tags.LUTDescriptor);
  const raw = item.value(Tags.LUTData);
  if (descriptor.length < 3 || !raw) {
    warnings.push(`${what} without a valid LUT Descriptor or LUT Data: ignored`);
    return undefined;
  }
  const entries = descriptor[0] === 0 ? 65536 : descriptor[0]!;
  let firstMapped = descriptor[1]!;
  const bits = descriptor[2]!;
  // The first-mapped value is signed when the image is; US-encoded descriptors carry it as unsigned.
  if (firstMapped >= 0x8000 && item.vrOf(Tags.LUTDescriptor) !== 'SS') firstMapped -= 0x10000;
  if (bits < 1 || bits > 16) {
    warnings.push(`${what} has ${bits} bits per entry: ignored`);
    return undefined;
  }
  const values = item.numbers(Tags.LUTData);
  // 8-bit LUT data may be packed two per 16-bit word; expand when the count says so.
  let data: Uint16Array;
  if (values.length === entries) data = Uint16Array.from(values);
  else if (bits <= 8 && values.length * 2 >= entries) {
    data = new Uint16Array(entries);
    for (let i = 0; i < entries; i++) data[i] = ((values[i >> 1] ?? 0) >> ((i & 1) * 8)) & 0xff;
  } else {
    warnings.push(`${what} has ${values.length} entries, descriptor says ${entries}: ignored`);
    return undefined;
  }
  return { firstMapped, bits, data, explanation: item.string(Tags.LUTExplanation) };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
