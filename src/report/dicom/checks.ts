/** Input checks shared by the builders: UIDs, dates, and maps or masks on the source's grid. */
import { dicomExportErrors } from './messages.js';
import type { DerivedInstance, DicomSourceImage } from './types.js';

const uidPattern = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/;

/** Throws unless every UID of the source and the instance is valid, and the content date and time are well formed. */
export function checkIdentity(source: DicomSourceImage, instance: DerivedInstance): void {
  const uids: [string, string | undefined][] = [
    ['source.studyInstanceUid', source.studyInstanceUid],
    ['source.seriesInstanceUid', source.seriesInstanceUid],
    ['source.sopInstanceUid', source.sopInstanceUid],
    ['source.sopClassUid', source.sopClassUid],
    ['source.frameOfReferenceUid', source.frameOfReferenceUid],
    ['instance.seriesInstanceUid', instance.seriesInstanceUid],
    ['instance.sopInstanceUid', instance.sopInstanceUid],
    ['instance.frameOfReferenceUid', instance.frameOfReferenceUid],
  ];
  for (const [field, uid] of uids) if (uid !== undefined && (uid.length > 64 || !uidPattern.test(uid))) throw dicomExportErrors.badUid(field, uid);
  if (!/^\d{8}$/.test(instance.contentDate)) throw dicomExportErrors.badDate('instance.contentDate', instance.contentDate, 'YYYYMMDD');
  if (!/^\d{6}$/.test(instance.contentTime)) throw dicomExportErrors.badDate('instance.contentTime', instance.contentTime, 'HHMMSS');
}

/** Throws unless `width` x `height` (and the value count) is the source's grid. */
export function checkGrid(what: string, length: number, width: number, height: number, source: DicomSourceImage): void {
  if (width !== source.columns || height !== source.rows || length !== width * height) {
    throw dicomExportErrors.gridMismatch(what, `${width}x${height} (${length} values)`, `${source.columns}x${source.rows}`);
  }
}
