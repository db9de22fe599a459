/**
 * Every DataError the image decoders (DICOM, PNG, JPEG, readImage) raise is built here (style rule 9),
 * so the catalogue of codes, messages and hints lives in one place and tests can assert on codes.
 */
import { DataError } from '../../core/errors.js';
import { describeTag, type Tag } from './tags.js';

/** Stable codes of the DICOM reader's errors. */
export const DicomErrorCode = {
  notDicom: 'dicom-not-dicom',
  truncated: 'dicom-truncated',
  malformed: 'dicom-malformed',
  noPixelData: 'dicom-no-pixel-data',
  unsupportedTransferSyntax: 'dicom-unsupported-transfer-syntax',
  unsupportedPixelFormat: 'dicom-unsupported-pixel-format',
  missingAttribute: 'dicom-missing-attribute',
  invalidAttribute: 'dicom-invalid-attribute',
  pixelDataLength: 'dicom-pixel-data-length',
  corruptCodestream: 'dicom-corrupt-codestream',
  codestreamMismatch: 'dicom-codestream-mismatch',
} as const;

const where = (file: string, t?: Tag): { file: string; field?: string } =>
  t === undefined ? { file } : { file, field: describeTag(t) };

/** Builders of the reader's errors; `file` is the path or a label for in-memory bytes. */
export const dicomErrors = {
  notDicom(file: string, found: string): DataError {
    return new DataError(DicomErrorCode.notDicom, `not a DICOM file: no "DICM" marker at byte 128 and ${found}`, { file }, {
      hint: 'pass a DICOM Part 10 file (or a raw data set starting with a group 0002-0028 element); PNG and JPEG files are read by readImage',
    });
  },
  truncated(file: string, t: Tag | undefined, found: string): DataError {
    return new DataError(DicomErrorCode.truncated, `file is truncated: ${found}`, where(file, t), {
      hint: 'the file was cut short (interrupted download or copy); fetch it again',
    });
  },
  malformed(file: string, t: Tag | undefined, found: string): DataError {
    return new DataError(DicomErrorCode.malformed, `malformed data set: ${found}`, where(file, t), {
      hint: 'the file is corrupt or not valid DICOM; re-export it from the archive',
    });
  },
  noPixelData(file: string, modality: string | undefined): DataError {
    const what = modality ? `this object (modality ${modality})` : 'this object';
    return new DataError(DicomErrorCode.noPixelData, `no image: ${what} has no Pixel Data (7FE0,0010)`, where(file), {
      hint: 'structured reports, presentation states and similar objects carry no pixels; remove the file from the image list',
    });
  },
  floatPixelData(file: string, t: Tag): DataError {
    return new DataError(DicomErrorCode.unsupportedPixelFormat, 'float or double pixel data (parametric maps) is not an X-ray image', where(file, t), {
      hint: 'pass a radiograph stored with integer Pixel Data (7FE0,0010)',
    });
  },
  unsupportedTransferSyntax(file: string, uid: string, name: string | undefined): DataError {
    return new DataError(
      DicomErrorCode.unsupportedTransferSyntax,
      `unsupported transfer syntax ${uid}${name ? ` (${name})` : ''}`,
      where(file, 0x00020010),
      {
        hint: 'supported: implicit/explicit VR little endian, explicit big endian, deflated, RLE, JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000; transcode others with e.g. `dcmdjpeg`/`gdcmconv --raw`',
      },
    );
  },
  unsupportedPixelFormat(file: string, t: Tag | undefined, found: string): DataError {
    return new DataError(DicomErrorCode.unsupportedPixelFormat, `unsupported pixel format: ${found}`, where(file, t), {
      hint: 'convert the image to MONOCHROME2 or RGB with 1-32 bits allocated (e.g. with `gdcmconv`)',
    });
  },
  missingAttribute(file: string, t: Tag): DataError {
    return new DataError(DicomErrorCode.missingAttribute, 'required attribute is missing', where(file, t), {
      hint: 'the image module is incomplete; re-export the file from the archive',
    });
  },
  invalidAttribute(file: string, t: Tag, found: string, expected: string): DataError {
    return new DataError(DicomErrorCode.invalidAttribute, `found ${found}, expected ${expected}`, where(file, t), {
      hint: 'the image attributes are inconsistent; re-export the file or fix the attribute',
    });
  },
  pixelDataLength(file: string, found: number, expected: number, layout: string): DataError {
    return new DataError(
      DicomErrorCode.pixelDataLength,
      `Pixel Data holds ${found} bytes, expected ${expected} for ${layout}`,
      where(file, 0x7fe00010),
      { hint: 'the file is truncated or its Rows/Columns/Bits Allocated are wrong; fetch or export it again' },
    );
  },
  corruptCodestream(file: string, codec: string, found: string, frame: number): DataError {
    return new DataError(DicomErrorCode.corruptCodestream, `${codec} data of frame ${frame + 1} cannot be decoded: ${found}`, where(file, 0x7fe00010), {
      hint: 'the compressed pixel data is corrupt or truncated; fetch the file again or export it uncompressed',
    });
  },
  codestreamMismatch(file: string, codec: string, found: string, expected: string): DataError {
    return new DataError(
      DicomErrorCode.codestreamMismatch,
      `${codec} codestream describes ${found} but the DICOM attributes say ${expected}`,
      where(file, 0x7fe00010),
      { hint: 'the file is corrupt or was edited inconsistently; export it again' },
    );
  },
} as const;

/** Stable codes of `readImage` and the PNG/JPEG readers. */
export const ImageErrorCode = {
  fileMissing: 'image-file-missing',
  fileUnreadable: 'image-file-unreadable',
  unknownFormat: 'image-unknown-format',
  corrupt: 'image-corrupt',
  unsupported: 'image-unsupported',
  timeout: 'image-decode-timeout',
  worker: 'image-decode-worker-failed',
} as const;

/** Builders of `readImage`'s and the PNG/JPEG readers' errors. */
export const imageErrors = {
  fileMissing(file: string): DataError {
    return new DataError(ImageErrorCode.fileMissing, 'file not found', { file }, { hint: 'check the path (relative paths are resolved from the current directory)' });
  },
  fileUnreadable(file: string, reason: string): DataError {
    return new DataError(ImageErrorCode.fileUnreadable, `cannot read file: ${reason}`, { file }, { hint: 'check permissions and that the path is a file' });
  },
  unknownFormat(file: string, found: string): DataError {
    return new DataError(ImageErrorCode.unknownFormat, `not a DICOM, PNG or JPEG file (starts with ${found})`, { file }, {
      hint: 'heatcheck reads DICOM (.dcm), PNG and JPEG images; convert other formats first',
    });
  },
  corrupt(file: string, format: string, reason: string): DataError {
    return new DataError(ImageErrorCode.corrupt, `${format} data cannot be decoded: ${reason}`, { file }, {
      hint: 'the file is corrupt or truncated; fetch or export it again',
    });
  },
  unsupported(file: string, format: string, found: string): DataError {
    return new DataError(ImageErrorCode.unsupported, `unsupported ${format}: ${found}`, { file }, {
      hint: 'save the image as 8- or 16-bit greyscale or RGB PNG',
    });
  },
  timeout(file: string, ms: number): DataError {
    return new DataError(ImageErrorCode.timeout, `decoding took longer than ${ms} ms and was stopped`, { file }, {
      hint: 'the file may be corrupt; raise the pool timeout if it is a very large image',
    });
  },
  worker(file: string, reason: string): DataError {
    return new DataError(ImageErrorCode.worker, `the decode worker failed: ${reason}`, { file }, {
      hint: 'the file may be corrupt; if every file fails, report a bug with the message',
    });
  },
} as const;
