/**
 * Value checks for the strings and codes the builders write. Dataset- and config-derived text (model
 * names, labels) is reduced to printable ASCII and cut to the VR's length here, so the files need no
 * Specific Character Set and dcmjs never truncates (and logs) on its own.
 */

/** Maximum lengths of the string VRs the builders write (PS3.5 6.2). */
const maxLength = { CS: 16, SH: 16, LO: 64, ST: 1024, UT: 10240 } as const;

/** Printable ASCII (other characters become `?`), backslashes removed (they separate values), cut to the VR's length. */
export function dicomText(value: string, vr: keyof typeof maxLength): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '?').replace(/\\/g, '/');
  const text = vr === 'CS' ? ascii.toUpperCase().replace(/[^A-Z0-9 _]/g, '_') : ascii;
  return text.slice(0, maxLength[vr]).trimEnd();
}

/** A coded concept (a Code Sequence item). */
export interface Code {
  readonly CodeValue: string;
  readonly CodingSchemeDesignator: string;
  readonly CodeMeaning: string;
}

/** A code item from value, scheme and meaning. */
export const code = (value: string, scheme: string, meaning: string): Code => ({
  CodeValue: dicomText(value, 'SH'),
  CodingSchemeDesignator: dicomText(scheme, 'SH'),
  CodeMeaning: dicomText(meaning, 'LO'),
});

/** The codes the builders use. `99HEATCHECK` is heatcheck's private coding scheme (PS3.16 8.2: "99" prefix). */
export const codes = Object.freeze({
  sourceImage: code('121322', 'DCM', 'Source image for image processing operation'),
  segmentation: code('113076', 'DCM', 'Segmentation'),
  chest: code('51185008', 'SCT', 'Chest'),
  noUnits: code('1', 'UCUM', 'no units'),
  saliencyCategory: code('SALIENCY', '99HEATCHECK', 'Saliency map region'),
  saliencyValue: code('SALIENCY-VALUE', '99HEATCHECK', 'Saliency (post-processed, 0 to 1)'),
});

/** A method id as a private code of the segmented property type (e.g. `GRAD-CAM`). */
export const methodCode = (method: string, meaning: string): Code => code(method.toUpperCase(), '99HEATCHECK', meaning);
