/**
 * Colormaps for saliency maps: value in [0, 1] -> 8-bit RGB. `plasma` is what Arun et al. 2021 show
 * (https://doi.org/10.1148/ryai.2021200267, Fig 1); `viridis` is the other perceptually uniform,
 * colour-blind-safe choice; `gray` is for print. The plasma and viridis tables are 31 equally spaced
 * samples of matplotlib's 256-entry tables (van der Walt & Smith, CC0), interpolated linearly in RGB, so
 * a colour is within a few units of matplotlib's and the ends are exact.
 */
import { UsageError } from '../core/errors.js';

/** A colormap id. */
export type ColormapName = 'plasma' | 'viridis' | 'gray';

/** Every colormap id. */
export const colormapNames: readonly ColormapName[] = Object.freeze(['plasma', 'viridis', 'gray']);

const tables: Readonly<Record<'plasma' | 'viridis', string>> = {
  plasma:
    '0d088723069033059742039d5002a25d01a66a00a87801a88405a7900da49c179ea72198b12a90ba3488c33d80cb4779d35171da5a69e16462e76e5bed7953f2834cf68f44fa9a3dfca636fdb32ffec029fcce25f9dc24f5ea27f0f921',
  viridis:
    '440154470e61481a6c482575472f7d443a834144873d4e8a39568c35608d31688e2d708e2a788e27818e23888e21918d1f988b1fa08822a8842ab07f35b77943bf7154c56866cc5d7ad1518fd744a5db36bcdf27d2e21be9e51afde725',
};

function decodeTable(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// A 256-entry lookup per map, built once: the per-pixel work is then one index and three reads.
const luts = new Map<ColormapName, Uint8Array>();

/** The 256-entry RGB lookup table of a colormap (entry k is the colour of k / 255), as 768 bytes. */
export function colormapTable(name: ColormapName): Uint8Array {
  const cached = luts.get(name);
  if (cached) return cached;
  const lut = new Uint8Array(256 * 3);
  if (name === 'gray') {
    for (let k = 0; k < 256; k++) lut.fill(k, 3 * k, 3 * k + 3);
  } else if (name === 'plasma' || name === 'viridis') {
    const stops = decodeTable(tables[name]);
    const last = stops.length / 3 - 1;
    for (let k = 0; k < 256; k++) {
      const t = (k / 255) * last;
      const i = Math.min(Math.floor(t), last - 1);
      const f = t - i;
      for (let c = 0; c < 3; c++) lut[3 * k + c] = Math.round(stops[3 * i + c]! * (1 - f) + stops[3 * (i + 1) + c]! * f);
    }
  } else {
    throw new UsageError('colormap-unknown', `unknown colormap "${String(name)}"; expected one of ${colormapNames.join(', ')}`);
  }
  luts.set(name, lut);
  return lut;
}

/** The lookup index of a value: clamped to [0, 1], then rounded to one of 256 levels; -1 for NaN. */
export function colormapIndex(value: number): number {
  if (Number.isNaN(value)) return -1;
  const v = value <= 0 ? 0 : value >= 1 ? 1 : value;
  return Math.round(v * 255);
}

/** The RGB colour of one value in [0, 1] (clamped); NaN has no colour and returns `undefined`. */
export function colormapColor(name: ColormapName, value: number): [number, number, number] | undefined {
  const k = colormapIndex(value);
  if (k < 0) return undefined;
  const lut = colormapTable(name);
  return [lut[3 * k]!, lut[3 * k + 1]!, lut[3 * k + 2]!];
}

/** An RGBA image, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/**
 * Colours every value of a map (row-major, in [0, 1], clamped) as opaque RGBA; NaN pixels (degenerate
 * maps) are fully transparent so an overlay shows the X-ray through them rather than a false colour.
 */
export function applyColormap(values: Float32Array, width: number, height: number, name: ColormapName): RgbaImage {
  if (values.length !== width * height) {
    throw new UsageError('colormap-size', `map has ${values.length} values, expected ${width}x${height} = ${width * height}`);
  }
  const lut = colormapTable(name);
  const data = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const k = colormapIndex(values[i]!);
    if (k < 0) continue;
    data[4 * i] = lut[3 * k]!;
    data[4 * i + 1] = lut[3 * k + 1]!;
    data[4 * i + 2] = lut[3 * k + 2]!;
    data[4 * i + 3] = 255;
  }
  return { data, width, height };
}
