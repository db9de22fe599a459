/** Every error the DICOM builders raise, built in one place (style rule 9); tests assert on the codes. */
import { UsageError } from '../../core/errors.js';

/** Stable codes of the DICOM builders' errors. */
export const DicomExportErrorCode = {
  gridMismatch: 'dicom-export-grid-mismatch',
  notFinite: 'dicom-export-not-finite',
  noSegments: 'dicom-export-no-segments',
  badUid: 'dicom-export-bad-uid',
  badDate: 'dicom-export-bad-date',
} as const;

export const dicomExportErrors = {
  gridMismatch(what: string, found: string, expected: string): UsageError {
    return new UsageError(DicomExportErrorCode.gridMismatch, `${what} is ${found}, but the source image is ${expected}`, {
      hint: 'resample the map to the source grid first (the exporter does this with upsampleBilinear)',
    });
  },
  notFinite(what: string, index: number, value: number): UsageError {
    return new UsageError(DicomExportErrorCode.notFinite, `${what} has a non-finite value ${value} at pixel ${index}`, {
      hint: 'a degenerate (NaN) map has no parametric map; leave it out of the export',
    });
  },
  noSegments(): UsageError {
    return new UsageError(DicomExportErrorCode.noSegments, 'a segmentation needs at least one segment', { hint: 'pass one mask per method' });
  },
  badUid(field: string, uid: string): UsageError {
    return new UsageError(DicomExportErrorCode.badUid, `${field} "${uid}" is not a DICOM UID (digits and dots, at most 64 characters)`, {
      hint: 'use hashUid(...) for sources without UIDs',
    });
  },
  badDate(field: string, value: string, pattern: string): UsageError {
    return new UsageError(DicomExportErrorCode.badDate, `${field} "${value}" is not ${pattern}`, { hint: 'pass the date as YYYYMMDD and the time as HHMMSS' });
  },
};
