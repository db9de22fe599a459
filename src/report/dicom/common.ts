/**
 * The modules a Parametric Map and a Segmentation share: patient and study (identifiers left empty),
 * series and equipment, frame of reference, SOP common, and the references to the source image.
 */
import { codes, dicomText } from './text.js';
import type { DerivedInstance, DicomDataset, DicomSourceImage } from './types.js';

/** Secondary Capture Image Storage: the nominal SOP class of a source that had no DICOM header. */
export const secondaryCaptureSopClassUid = '1.2.840.10008.5.1.4.1.1.7';

/** What De-identification Method (0012,0063) says about every derived object heatcheck writes. */
export const deidentificationMethod = 'heatcheck: patient and study identifiers empty; source UIDs kept';

/**
 * Patient and General Study modules. The project rule is "no patient identifiers in outputs": name, ID,
 * birth date, sex, study date, accession number and referring physician are written empty (all type 2),
 * and only the Study Instance UID is kept, because a derived object must name the study of its source.
 */
export function patientStudyModules(source: DicomSourceImage): DicomDataset {
  return {
    PatientName: '',
    PatientID: '',
    PatientBirthDate: '',
    PatientSex: '',
    PatientIdentityRemoved: 'YES',
    DeidentificationMethod: deidentificationMethod,
    StudyInstanceUID: source.studyInstanceUid,
    StudyDate: '',
    StudyTime: '',
    ReferringPhysicianName: '',
    StudyID: '',
    AccessionNumber: '',
  };
}

/** General Series, General and Enhanced General Equipment, SOP Common, and the content date and time. */
export function seriesInstanceModules(instance: DerivedInstance, sopClassUid: string, modality: string): DicomDataset {
  const version = dicomText(instance.software.version, 'LO');
  return {
    SOPClassUID: sopClassUid,
    SOPInstanceUID: instance.sopInstanceUid,
    Modality: modality,
    SeriesInstanceUID: instance.seriesInstanceUid,
    SeriesNumber: instance.seriesNumber,
    SeriesDescription: dicomText(instance.seriesDescription, 'LO'),
    InstanceNumber: instance.instanceNumber,
    ContentDate: instance.contentDate,
    ContentTime: instance.contentTime,
    Manufacturer: dicomText(instance.software.name, 'LO'),
    ManufacturerModelName: dicomText(instance.software.name, 'LO'),
    // Enhanced General Equipment needs a serial number; software has none, so its version stands in.
    DeviceSerialNumber: version,
    SoftwareVersions: version,
    CodingSchemeIdentificationSequence: [{ CodingSchemeDesignator: '99HEATCHECK', CodingSchemeName: 'heatcheck saliency concepts', CodingSchemeResponsibleOrganization: 'heatcheck' }],
  };
}

/** The Frame of Reference module: the source's, else the instance's own (for IODs that require one). */
export function frameOfReferenceModule(uid: string): DicomDataset {
  return { FrameOfReferenceUID: uid, PositionReferenceIndicator: '' };
}

/** A reference to the source image (SOP class and instance). */
export function sourceReference(source: DicomSourceImage): DicomDataset {
  return { ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid };
}

/** One Derivation Image item: the source image and how the object was derived from it. */
export function derivationImageItem(source: DicomSourceImage, description: string, derivation = codes.segmentation): DicomDataset {
  return {
    DerivationDescription: dicomText(description, 'ST'),
    DerivationCodeSequence: [{ ...derivation }],
    SourceImageSequence: [{ ...sourceReference(source), PurposeOfReferenceCodeSequence: [{ ...codes.sourceImage }] }],
  };
}

/** Common Instance Reference module: the source's series and instance (the study is the object's own). */
export function commonInstanceReference(source: DicomSourceImage): DicomDataset {
  return { ReferencedSeriesSequence: [{ SeriesInstanceUID: source.seriesInstanceUid, ReferencedInstanceSequence: [sourceReference(source)] }] };
}

/**
 * Pixel Measures as a functional group, when the source states its spacing (the derived grid is the
 * source's). A projection has no slice; the macro needs a thickness once a Frame of Reference is present,
 * so a nominal 1 mm is written.
 */
export function pixelMeasures(source: DicomSourceImage): DicomDataset {
  return source.pixelSpacing ? { PixelMeasuresSequence: [{ PixelSpacing: [...source.pixelSpacing], SliceThickness: 1 }] } : {};
}

/** Little-endian bytes of a typed array as the ArrayBuffer dcmjs writes for OB/OF values. */
export function littleEndianBuffer(values: Float32Array | Uint8Array): ArrayBuffer {
  if (values instanceof Uint8Array) return values.slice().buffer;
  const out = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) out.setFloat32(4 * i, values[i]!, true);
  return out.buffer;
}
