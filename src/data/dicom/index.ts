/** DICOM reading: parsing, transfer syntaxes, pixel decoding, attributes and the canonical display mapping. */
export { decodeDicom, readDicomAttributes, type DecodeDicomOptions, type DecodedDicom } from './decode.js';
export type { DicomAttributes, DicomIdentifiers, LookupTable } from './attributes.js';
export { toCanonical, type CanonicalFrame, type WindowOption } from './display.js';
export { DicomErrorCode, ImageErrorCode } from './messages.js';
export type { StoredPixelArray } from './stored-values.js';
export { supportedTransferSyntaxes, TransferSyntaxes, type PixelEncoding, type TransferSyntax } from './transfer-syntax.js';
