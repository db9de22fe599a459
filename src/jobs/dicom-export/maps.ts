/**
 * The final maps of a run, one at a time: from the step cache's Float32 files (exactly the maps the
 * audit scored) or, when the cache was pruned, from the 16-bit PNGs of `maps/` (values within 1/131070
 * of the audit's). A degenerate map (NaN in the cache, `degenerate: true` beside the PNG) is reported as such.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Map2D } from '../../core/types.js';
import { decodePng } from '../../data/index.js';
import { mapFile } from '../audit/explain.js';
import { readMapAt } from '../audit/map-store.js';
import { stepIds } from '../audit/plan.js';
import { exportErrors } from './messages.js';

/** One final map and where it came from. */
export interface RunMap {
  readonly map: Map2D;
  /** `float32`: the step cache's values; `png16`: maps/ PNG, quantised to 1/65535. */
  readonly encoding: 'float32' | 'png16';
  readonly degenerate: boolean;
  /** The step that made the map (its hash), so derived UIDs change when the map does. */
  readonly step: string;
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

/** Where a model's maps are cached: the explain step of its original state, or its localize step. */
function cachedFile(runDir: string, steps: Readonly<Record<string, string>>, model: string, method: string, localization: boolean): { file: string; step: string } | undefined {
  const id = localization ? stepIds.localize(model) : stepIds.explain(model, 'original');
  const hash = steps[id];
  if (!hash) return undefined;
  return { file: path.join(runDir, 'steps', localization ? 'localize' : 'explain', hash, localization ? 'map.f32' : mapFile(method)), step: hash };
}

/** Reads map `index` (image `key`) of `model` / `method` at the audit's `size`. */
export async function readRunMap(
  runDir: string,
  steps: Readonly<Record<string, string>>,
  where: { readonly model: string; readonly method: string; readonly localization: boolean },
  index: number,
  key: string,
  size: number,
): Promise<RunMap> {
  const cached = cachedFile(runDir, steps, where.model, where.method, where.localization);
  if (cached && (await exists(cached.file))) {
    const map = readMapAt(cached.file, size, size, index);
    return { map, encoding: 'float32', degenerate: map.data.some((v) => Number.isNaN(v)), step: cached.step };
  }
  const png = path.join(runDir, 'maps', where.model, where.method, `${key}.png`);
  if (!(await exists(png))) throw exportErrors.noMaps(runDir, where.model, where.method);
  const image = decodePng(await readFile(png), png);
  const scale = image.bitDepth === 16 ? 65535 : 255;
  const meta = JSON.parse(await readFile(png.replace(/\.png$/, '.json'), 'utf8').catch(() => '{}')) as { degenerate?: boolean; step?: string };
  return {
    map: { data: Float32Array.from(image.data, (v) => v / scale), width: image.width, height: image.height },
    encoding: 'png16',
    degenerate: meta.degenerate === true,
    step: meta.step ?? 'maps',
  };
}
