/**
 * Plane geometry for a Parametric Map of a projection radiograph. The Parametric Map IOD requires Pixel
 * Measures, Plane Position (Patient) and Plane Orientation (Patient) (PS3.3 A.75.5), which a projection
 * image does not have; heatcheck states them nominally, as derived from what the source does say:
 * the row and column directions of its Patient Orientation (default L\F, a PA chest film as displayed),
 * the position 0\0\0, and its pixel spacing (default a nominal 1 mm).
 */
import type { DicomDataset, DicomSourceImage } from './types.js';

/** Patient direction letters as LPS unit vectors (PS3.3 C.7.6.1.1.1). */
const directions: Readonly<Record<string, readonly [number, number, number]>> = {
  L: [1, 0, 0],
  R: [-1, 0, 0],
  P: [0, 1, 0],
  A: [0, -1, 0],
  H: [0, 0, 1],
  F: [0, 0, -1],
};

/** The nominal row direction and column direction as a Patient Orientation pair. */
export function nominalOrientation(source: DicomSourceImage): readonly [string, string] {
  const given = source.patientOrientation;
  // Oblique orientations (e.g. "LF") have no single axis; they fall back to the PA default.
  if (given && directions[given[0]] && directions[given[1]] && given[0] !== given[1]) return given;
  return ['L', 'F'];
}

/** Pixel spacing: the source's, or a nominal 1 mm when it states none (PNG, JPEG, phantom). */
export function nominalSpacing(source: DicomSourceImage): readonly [number, number] {
  return source.pixelSpacing ?? [1, 1];
}

/** Pixel Measures, Plane Orientation (Patient) and Plane Position (Patient) functional groups. */
export function nominalPlane(source: DicomSourceImage): { readonly shared: DicomDataset; readonly position: DicomDataset } {
  const [row, column] = nominalOrientation(source);
  return {
    shared: {
      PixelMeasuresSequence: [{ PixelSpacing: [...nominalSpacing(source)], SliceThickness: 1 }],
      PlaneOrientationSequence: [{ ImageOrientationPatient: [...directions[row]!, ...directions[column]!] }],
    },
    position: { PlanePositionSequence: [{ ImagePositionPatient: [0, 0, 0] }] },
  };
}
