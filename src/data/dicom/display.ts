/**
 * From stored DICOM values to the canonical grey image: colour to grey, modality rescale (or Modality
 * LUT), a VOI choice, MONOCHROME1 inversion, padding pixels set to 0; Float32 in [0, 1], bright = dense.
 * PS3.3 C.11.2.1.2 defines the window functions used here.
 */
import type { DicomAttributes } from './attributes.js';
import type { DecodedDicom } from './decode.js';

/**
 * How stored values map to [0, 1]:
 * - `stored-range` (default): the full range Bits Stored allows, after rescale, maps linearly; the same
 *   image stored as MONOCHROME1 and MONOCHROME2 gives the same canonical image, and no per-image choice hides scale;
 * - `min-max`: the image's own minimum and maximum (padding excluded);
 * - `dicom`: the file's first VOI LUT, else its first Window Center/Width with its VOI LUT Function
 *   (LINEAR, LINEAR_EXACT, SIGMOID); `stored-range` with a warning when it has neither;
 * - `{ center, width }`: a linear window in rescaled units.
 */
export type WindowOption = 'stored-range' | 'min-max' | 'dicom' | { readonly center: number; readonly width: number };

/** A canonical grey frame and what was done to make it. */
export interface CanonicalFrame {
  readonly pixels: Float32Array;
  readonly width: number;
  readonly height: number;
  /** The mapping applied, e.g. `stored-range`, `window 600/1600 (LINEAR)`, `VOI LUT`. */
  readonly window: string;
  readonly warnings: string[];
}

/** Turns frame `frame` of decoded stored values into the canonical grey image. */
export function toCanonical(decoded: DecodedDicom, window: WindowOption = 'stored-range', frame = 0): CanonicalFrame {
  const a = decoded.attributes;
  const [, rows, columns, samples] = decoded.shape;
  const n = rows * columns;
  const warnings: string[] = [];
  const src = decoded.pixels.subarray(frame * n * samples, (frame + 1) * n * samples);
  const colour = samples === 3;
  // Grey stored values: monochrome as is; colour to luma (BT.601, the Y of YBR_FULL). JPEG 2000
  // decoders undo ICT/RCT, so those arrive as RGB.
  let grey: ArrayLike<number> = src;
  if (colour) {
    const g = new Float64Array(n);
    if (decoded.colorSpace === 'RGB' || decoded.colorSpace === 'YBR_ICT' || decoded.colorSpace === 'YBR_RCT') {
      for (let i = 0, j = 0; i < n; i++, j += 3) g[i] = 0.299 * src[j]! + 0.587 * src[j + 1]! + 0.114 * src[j + 2]!;
    } else {
      for (let i = 0, j = 0; i < n; i++, j += 3) g[i] = src[j]!;
      if (decoded.colorSpace.startsWith('YBR_PARTIAL')) for (let i = 0; i < n; i++) g[i] = ((g[i]! - 16) * 255) / 219; // limited-range luma
    }
    grey = g;
    warnings.push(`${a.photometricInterpretation} image converted to grey (luma)`);
  }
  const padding = paddingTest(a, colour);

  // The modality transform (Modality LUT or rescale) and the range its output can take.
  const lut = colour ? undefined : a.modalityLut;
  const signed = a.pixelRepresentation === 1 && !colour;
  const sMin = signed ? -(2 ** (a.bitsStored - 1)) : 0;
  const sMax = signed ? 2 ** (a.bitsStored - 1) - 1 : 2 ** a.bitsStored - 1;
  const slope = colour ? 1 : a.rescaleSlope;
  const intercept = colour ? 0 : a.rescaleIntercept;
  const modality = lut ? (v: number): number => lutLookup(lut.data, lut.firstMapped, v) : (v: number): number => v * slope + intercept;
  let lo = lut ? 0 : Math.min(sMin * slope + intercept, sMax * slope + intercept);
  let hi = lut ? 2 ** lut.bits - 1 : Math.max(sMin * slope + intercept, sMax * slope + intercept);

  // The VOI step as a function of the modality value onto [0, 1].
  let voi: ((m: number) => number) | undefined;
  let applied = 'stored-range';
  if (window === 'dicom' && !colour) {
    const voiLut = a.voiLuts[0];
    const center = a.windowCenters[0];
    const width = a.windowWidths[0];
    if (voiLut) {
      const max = 2 ** voiLut.bits - 1;
      voi = (m) => lutLookup(voiLut.data, voiLut.firstMapped, m) / max;
      applied = 'VOI LUT';
    } else if (center !== undefined && width !== undefined) {
      const fn = a.voiLutFunction ?? 'LINEAR';
      voi = windowFunction(center, width, fn);
      if (voi) applied = `window ${center}/${width} (${fn})`;
      else warnings.push(`Window Width ${width} is not usable with ${fn}: stored range used`);
    } else warnings.push('no VOI LUT or window in the file: stored range used');
  } else if (typeof window === 'object') {
    voi = windowFunction(window.center, window.width, 'LINEAR');
    if (voi) applied = `window ${window.center}/${window.width} (LINEAR)`;
    else warnings.push(`window width ${window.width} must be at least 1: stored range used`);
  } else if (window === 'min-max') {
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = 0; i < n; i++) {
      if (padding?.(src[i]!)) continue;
      const m = modality(grey[i]!);
      if (m < mn) mn = m;
      if (m > mx) mx = m;
    }
    if (mx > mn) {
      lo = mn;
      hi = mx;
    } else if (Number.isFinite(mn)) {
      warnings.push('image is constant: min-max window maps it to 0');
      hi = lo = mn;
    }
    applied = 'min-max';
  }
  const span = hi - lo;
  const invert = a.photometricInterpretation === 'MONOCHROME1';
  const map = (v: number): number => {
    let x = voi ? voi(modality(v)) : span > 0 ? (modality(v) - lo) / span : 0;
    x = x < 0 ? 0 : x > 1 ? 1 : x;
    return invert ? 1 - x : x;
  };

  const out = new Float32Array(n);
  if (!colour && sMax - sMin < 1 << 17 && n > 4 * (sMax - sMin)) {
    // Every step depends only on the stored value: tabulate it once (a 12-bit image needs 4096 entries).
    const table = new Float32Array(sMax - sMin + 1);
    for (let v = sMin; v <= sMax; v++) table[v - sMin] = map(v);
    for (let i = 0; i < n; i++) out[i] = table[src[i]! - sMin]!;
  } else {
    for (let i = 0; i < n; i++) out[i] = map(grey[i]!);
  }
  if (padding) {
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (padding(src[i]!)) {
        out[i] = 0;
        count++;
      }
    }
    if (count) warnings.push(`${count} padding pixels (Pixel Padding Value) set to 0`);
  }
  return { pixels: out, width: columns, height: rows, window: applied, warnings };
}

function paddingTest(a: DicomAttributes, colour: boolean): ((stored: number) => boolean) | undefined {
  const value = a.pixelPaddingValue;
  if (value === undefined || colour) return undefined;
  const limit = a.pixelPaddingRangeLimit;
  if (limit === undefined) return (v) => v === value;
  const lo = Math.min(value, limit);
  const hi = Math.max(value, limit);
  return (v) => v >= lo && v <= hi;
}

function lutLookup(data: Uint16Array, firstMapped: number, value: number): number {
  const index = Math.round(value) - firstMapped;
  return data[index < 0 ? 0 : index >= data.length ? data.length - 1 : index]!;
}

/** PS3.3 C.11.2.1.2 window functions onto [0, 1]; undefined when the width is unusable. */
function windowFunction(center: number, width: number, fn: string): ((x: number) => number) | undefined {
  if (fn === 'SIGMOID') return width > 0 ? (x) => 1 / (1 + Math.exp((-4 * (x - center)) / width)) : undefined;
  if (fn === 'LINEAR_EXACT') return width > 0 ? (x) => (x - center) / width + 0.5 : undefined;
  if (!(width >= 1)) return undefined;
  if (width === 1) return (x) => (x > center - 0.5 ? 1 : 0);
  return (x) => (x - (center - 0.5)) / (width - 1) + 0.5;
}
