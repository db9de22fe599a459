/**
 * Part 10 encoding of a naturalised data set with dcmjs's writer (`DicomMetaDictionary` +
 * `DicomDict`): Explicit VR Little Endian, File Meta Information naming heatcheck as the implementation.
 */
import dcmjs from 'dcmjs';
import { dicomText } from './text.js';
import { implementationClassUid } from './uid.js';
import type { DicomDataset } from './types.js';

/** Explicit VR Little Endian: uncompressed, the one transfer syntax every reader supports (Float Pixel Data allows no other). */
export const explicitVrLittleEndian = '1.2.840.10008.1.2.1';

/** Encodes a data set built by `parametricMapDataset` or `segmentationDataset` as DICOM Part 10 bytes. */
export function encodeDicomFile(dataset: DicomDataset, software: { readonly name: string; readonly version: string }): Uint8Array {
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const meta = {
    FileMetaInformationVersion: [new Uint8Array([0, 1]).buffer],
    MediaStorageSOPClassUID: dataset['SOPClassUID'],
    MediaStorageSOPInstanceUID: dataset['SOPInstanceUID'],
    TransferSyntaxUID: explicitVrLittleEndian,
    ImplementationClassUID: implementationClassUid,
    ImplementationVersionName: dicomText(`${software.name}-${software.version}`, 'SH'),
  };
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(file.write());
}
