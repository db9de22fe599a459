/** Inputs of the DICOM builders: the source image a derived object references, and the derived instance's identity. */

/** A data set in dcmjs's naturalised form: keyword -> value, sequences as arrays of data sets. */
export type DicomDataset = Record<string, unknown>;

/** Where a source's UIDs come from: its own DICOM header, or `hashUid` for sources without UIDs. */
export type DicomSourceKind = 'dicom' | 'png' | 'jpeg' | 'phantom';

/** The image a derived object references: its UIDs and pixel grid (the derived pixels follow that grid). */
export interface DicomSourceImage {
  readonly kind: DicomSourceKind;
  readonly rows: number;
  readonly columns: number;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  /** For PNG, JPEG and phantom sources: Secondary Capture Image Storage, the nominal class of their generated UIDs. */
  readonly sopClassUid: string;
  /** The source's Frame of Reference UID; most projection radiographs have none. */
  readonly frameOfReferenceUid?: string;
  /** Row and column spacing in mm (Pixel Spacing, else Imager Pixel Spacing), when the source states it. */
  readonly pixelSpacing?: readonly [number, number];
  /** Patient Orientation (0020,0020) of the source, e.g. `['L', 'F']` for a PA chest film as displayed. */
  readonly patientOrientation?: readonly [string, string];
}

/** The identity of one derived instance and what made it. */
export interface DerivedInstance {
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly seriesNumber: number;
  readonly instanceNumber: number;
  readonly seriesDescription: string;
  /** Written when the source has no Frame of Reference and the IOD needs one (Parametric Map). */
  readonly frameOfReferenceUid: string;
  /** Content Date `YYYYMMDD` and Time `HHMMSS`: when the maps were made. */
  readonly contentDate: string;
  readonly contentTime: string;
  readonly software: { readonly name: string; readonly version: string };
}
