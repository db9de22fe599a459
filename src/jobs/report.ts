/**
 * `writeRunReport`: reads an audit's run folder (`results.json`, `per-image.csv`, `maps/` and the cached
 * step files under `steps/`), assembles the report layer's `ReportInput`, and writes the self-contained
 * `report.html` and the Markdown `summary.md` atomically. Example figures are best effort: a run folder
 * without its step cache still gets a report, with a warning saying why the examples are missing.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../core/errors.js';
import type { Map2D } from '../core/types.js';
import { perImageColumns } from '../criteria/index.js';
import { decodePng, readCsv } from '../data/index.js';
import type { GrayImage } from '../imaging/overlay.js';
import {
  buildReport,
  renderMarkdownSummary,
  reportLimitDefaults,
  type ConsistencyExample,
  type DegradationExample,
  type ExampleMap,
  type ModelCardView,
  type PerImageRowView,
  type ReportInput,
  type ReportLimits,
  type UtilityExample,
} from '../report/index.js';
import { writeFileAtomic } from './atomic.js';
import { readMapAt } from './audit/map-store.js';

/** Options of `writeRunReport`. */
export interface RunReportOptions {
  /** The audit's run folder. */
  readonly runDir: string;
  /** Where `report.html` goes (default `<run>/report.html`); `summary.md` is written beside it. */
  readonly out?: string;
  /** Caps on examples and thumbnails (see `reportLimitDefaults`). */
  readonly limits?: Partial<ReportLimits>;
}

/** What `writeRunReport` wrote. */
export interface RunReport {
  readonly html: string;
  readonly markdown: string;
  /** Size of report.html in bytes. */
  readonly bytes: number;
  /** Problems met while reading the run (also listed in the report's provenance). */
  readonly warnings: readonly string[];
}

type Json = Record<string, unknown>;

interface ModelEntry {
  readonly id: string;
  readonly role: string;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Reads and checks `results.json` of a run folder (a DataError naming the file when it is missing or not an audit's). */
export async function readRunResults(runDir: string): Promise<Record<string, unknown>> {
  const file = path.join(runDir, 'results.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError('report-no-results', code === 'ENOENT' ? 'no results.json in the run folder' : `cannot read results.json (${code ?? String(error)})`, { file }, { hint: 'pass the folder heatcheck audit wrote (its --out)' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataError('report-bad-results', `results.json is not valid JSON: ${(error as Error).message}`, { file }, { hint: 're-run heatcheck audit into this folder' });
  }
  const verdicts = isObject(value) ? value['verdicts'] : undefined;
  if (!isObject(value) || !isObject(verdicts) || !Array.isArray(verdicts['methods']) || !Array.isArray(verdicts['verdicts'])) {
    throw new DataError('report-bad-results', 'results.json has no verdict table', { file, field: 'verdicts' }, { hint: 'this file was not written by heatcheck audit, or by an incompatible version' });
  }
  return value;
}

/** `per-image.csv` rows (the columns the report reads); empty cells become undefined, `NaN` stays NaN. */
async function readPerImage(runDir: string, warnings: string[]): Promise<PerImageRowView[] | undefined> {
  const file = path.join(runDir, 'per-image.csv');
  if (!(await exists(file))) {
    warnings.push('per-image.csv is missing: the report shows tables without box plots');
    return undefined;
  }
  const required = new Set(['image', 'criterion', 'method', 'model', 'state']);
  const table = await readCsv(file, { columns: perImageColumns.map((name) => ({ name, optional: !required.has(name) })) });
  const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));
  return table.rows.map(({ values: v }) => {
    const auprc = num(v['auprc']);
    const ssim = num(v['ssim']);
    return { image: v['image']!, criterion: v['criterion']!, method: v['method']!, model: v['model']!, state: v['state']!, ...(auprc !== undefined ? { auprc } : {}), ...(ssim !== undefined ? { ssim } : {}) };
  });
}

/** Nested numbers as one flat record with dotted keys (e.g. `randomization.small-cnn-r1`). */
function flatNumbers(value: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof value === 'number') out[prefix] = value;
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) flatNumbers(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/** A flat record of the scalar fields of `value` (nested objects by dotted key; arrays joined). */
function flatScalars(value: Json, prefix = '', out: Record<string, string | number | boolean | null> = {}): Record<string, string | number | boolean | null> {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) flatScalars(v, key, out);
    else if (Array.isArray(v)) out[key] = v.map(String).join(', ');
    else if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
  }
  return out;
}

function provenanceOf(results: Json, warnings: readonly string[]): ReportInput['provenance'] {
  const tool = isObject(results['tool']) ? results['tool'] : {};
  const inputs = isObject(results['inputs']) ? results['inputs'] : {};
  const dataset = isObject(inputs['dataset']) ? inputs['dataset'] : {};
  const models = isObject(inputs['models']) ? inputs['models'] : {};
  const images = isObject(results['images']) ? results['images'] : {};
  const cards: ModelCardView[] = Object.entries(models).map(([id, m]) => {
    const { step: _step, ...card } = isObject(m) ? m : {};
    return { id, ...flatScalars(card) };
  });
  const hashes: Record<string, string> = {};
  for (const k of ['items', 'images', 'groundTruth'] as const) {
    const h = asString(dataset[k]);
    if (h) hashes[`dataset.${k}`] = h;
  }
  for (const [id, m] of Object.entries(models)) {
    const h = isObject(m) ? asString(m['sha256']) : undefined;
    if (h) hashes[`model.${id}`] = h;
  }
  const versions: Record<string, string> = {};
  for (const [k, v] of Object.entries(tool)) if (typeof v === 'string' && k !== 'name') versions[k === 'version' ? 'heatcheck' : k] = v;
  const config = isObject(results['config']) ? results['config'] : {};
  const datasetConfig = isObject(config['dataset']) ? config['dataset'] : {};
  return {
    tool: { name: asString(tool['name']) ?? 'heatcheck', version: asString(tool['version']) ?? 'unknown' },
    preset: asString(results['preset']) ?? 'unknown',
    // The user's own config path is shown in full (runs from before it was recorded have no field).
    ...('configFile' in results ? { configFile: asString(results['configFile']) ?? null } : {}),
    config: results['config'] ?? {},
    ...(isObject(results['sources']) ? { sources: Object.fromEntries(Object.entries(results['sources']).filter(([, v]) => typeof v === 'string')) as Record<string, string> } : {}),
    seeds: flatNumbers(results['seeds']),
    versions,
    models: cards,
    // Counts and formats only: the dataset's root path and ids stay out of the report.
    dataset: {
      ...(asString(results['run']) ? { run: asString(results['run'])! } : {}),
      format: asString(dataset['format']) ?? asString(datasetConfig['format']) ?? null,
      imageSize: typeof datasetConfig['imageSize'] === 'number' ? datasetConfig['imageSize'] : null,
      imagesAudited: typeof images['count'] === 'number' ? images['count'] : null,
      ...Object.fromEntries(Object.entries(flatScalars(isObject(dataset['counts']) ? dataset['counts'] : {})).map(([k, v]) => [`split.${k}`, v])),
      ...(typeof dataset['priorImages'] === 'number' ? { priorImages: dataset['priorImages'] } : {}),
      ...(typeof dataset['problems'] === 'number' ? { skippedProblems: dataset['problems'] } : {}),
    },
    inputs: hashes,
    warnings,
  };
}

/** Reads a 16-bit map PNG of `maps/` as values in [0, 1]; a map its JSON calls degenerate becomes NaN. */
async function readMapPng(file: string): Promise<Map2D> {
  const png = decodePng(await readFile(file), file);
  const scale = png.bitDepth === 16 ? 65535 : 255;
  const data = Float32Array.from(png.data, (v) => v / scale);
  const meta = JSON.parse(await readFile(file.replace(/\.png$/, '.json'), 'utf8').catch(() => '{}')) as Json;
  if (meta['degenerate'] === true) data.fill(Number.NaN);
  return { data, width: png.width, height: png.height };
}

/** Reads the example figures' images and maps from the run folder (see `docs/report.md`, Examples). */
async function readExamples(runDir: string, results: Json, rows: readonly PerImageRowView[], limits: ReportLimits): Promise<NonNullable<ReportInput['examples']>> {
  const config = results['config'] as Json;
  const size = (config['dataset'] as Json)['imageSize'] as number;
  const methods = ((config['saliency'] as Json)['methods'] as string[]).slice(0, limits.mapsPerRow);
  const keys = (results['images'] as Json)['keys'] as string[];
  const steps = (results['inputs'] as Json)['steps'] as Record<string, string>;
  const models: ModelEntry[] = Object.entries((results['inputs'] as Json)['models'] as Json).map(([id, m]) => ({ id, role: String((m as Json)['role']) }));
  const states = (results['states'] ?? {}) as Record<string, string[]>;
  const stepDir = (stage: string, id: string): string => {
    const hash = steps[id];
    if (!hash) throw new DataError('report-no-step', `results.json lists no step ${id}`, { file: path.join(runDir, 'results.json') });
    return path.join(runDir, 'steps', stage, hash);
  };
  const dataDir = stepDir('data', 'data');
  const imageOf = (i: number): GrayImage => ({ pixels: readMapAt(path.join(dataDir, 'images.f32'), size, size, i).data, width: size, height: size });
  const truthOf = (i: number): UtilityExample['truth'] => {
    const t = readMapAt(path.join(dataDir, 'truth.f32'), size, size, i).data;
    return { kind: 'mask', mask: { data: Uint8Array.from(t, (v) => (v > 0.5 ? 1 : 0)), width: size, height: size } };
  };
  const auprcOf = (key: string, method: string, model: string, state: string): number | undefined =>
    rows.find((r) => r.criterion === 'utility' && r.image === key && r.method === method && r.model === model && r.state === state)?.auprc;
  const mapOf = (model: string, method: string, key: string) => readMapPng(path.join(runDir, 'maps', model, method, `${key}.png`));

  const replicates = models.filter((m) => m.role === 'replicates').map((m) => m.id);
  const others = models.filter((m) => m.role === 'others').map((m) => m.id);
  const localization = models.filter((m) => m.role === 'localization').map((m) => m.id);
  const first = replicates[0];
  if (!first) return {};

  const utility: UtilityExample[] = [];
  for (const [i, key] of keys.slice(0, limits.utilityExamples).entries()) {
    const maps: ExampleMap[] = [];
    for (const method of methods) {
      const auprc = auprcOf(key, method, first, 'trained');
      maps.push({ method, map: await mapOf(first, method, key), ...(auprc !== undefined ? { auprc } : {}) });
    }
    const unet = localization[0];
    const unetName = rows.find((r) => r.criterion === 'utility' && r.model === unet)?.method;
    if (unet && unetName && (await exists(path.join(runDir, 'maps', unet, unetName, `${key}.png`)))) {
      const auprc = auprcOf(key, unetName, unet, 'trained');
      maps.push({ method: unetName, map: await mapOf(unet, unetName, key), ...(auprc !== undefined ? { auprc } : {}) });
    }
    const prior = path.join(dataDir, 'prior.f32');
    if (await exists(prior)) {
      const auprc = rows.find((r) => r.criterion === 'utility' && r.image === key && r.method === 'average-mask')?.auprc;
      maps.push({ method: 'average-mask', map: readMapAt(prior, size, size, 0), ...(auprc !== undefined ? { auprc } : {}) });
    }
    utility.push({ id: key, image: imageOf(i), truth: truthOf(i), maps });
  }

  // Figure 3B: the first image under replicate 1's cascade, one example per method (paper order).
  const degradation: DegradationExample[] = [];
  const cascade = states[first] ?? [];
  if (keys.length > 0 && cascade.length > 1) {
    for (const method of methods.slice(0, limits.degradationExamples)) {
      const maps = cascade.map((state) => ({ state, map: readMapAt(path.join(stepDir('explain', `explain/${first}/${state}`), `${method}.f32`), size, size, 0) }));
      degradation.push({ id: keys[0]!, image: imageOf(0), method, states: maps });
    }
  }

  // Figure 4C/D: replicate 1, replicate 2, the other architecture (rows) x methods (columns).
  const consistency: ConsistencyExample[] = [];
  const rowModels = [...replicates.slice(0, 2), ...others.slice(0, 1)];
  for (const [i, key] of keys.slice(0, limits.consistencyExamples).entries()) {
    const exampleRows = [];
    for (const model of rowModels) exampleRows.push({ model, maps: await Promise.all(methods.map(async (method) => ({ method, map: await mapOf(model, method, key) }))) });
    consistency.push({ id: key, image: imageOf(i), rows: exampleRows });
  }
  return { utility, degradation, consistency };
}

/** Reads a run folder into the report layer's input (examples best effort; problems become warnings). */
export async function readRunReportInput(runDir: string, limits: Partial<ReportLimits> = {}): Promise<ReportInput> {
  const results = await readRunResults(runDir);
  const warnings: string[] = [...((Array.isArray(results['warnings']) ? results['warnings'] : []) as unknown[]).map(String)];
  const rows = await readPerImage(runDir, warnings);
  const resolvedLimits: ReportLimits = { ...reportLimitDefaults, ...limits };
  let examples: ReportInput['examples'];
  if (!(await exists(path.join(runDir, 'maps')))) {
    warnings.push('no maps/ folder in the run (output.writeMaps was false): the report has no example figures');
  } else {
    try {
      examples = await readExamples(runDir, results, rows ?? [], resolvedLimits);
    } catch (error) {
      // Examples need the step cache and maps/; a copied or pruned run folder still gets its tables and charts.
      warnings.push(`example figures left out: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const config = isObject(results['config']) ? results['config'] : {};
  const dataset = isObject(config['dataset']) ? config['dataset'] : {};
  const label = asString(results['run']) ?? asString(dataset['format']);
  const criteria = ['utility', 'randomization', 'repeatability', 'reproducibility'] as const;
  // results.json holds the criteria results as written by the audit, which the report types are subsets of.
  const parts = Object.fromEntries(criteria.filter((c) => isObject(results[c])).map((c) => [c, results[c]])) as Pick<ReportInput, (typeof criteria)[number]>;
  return {
    ...(label ? { title: label } : {}),
    verdicts: results['verdicts'] as ReportInput['verdicts'],
    ...parts,
    ...(rows ? { perImage: rows } : {}),
    ...(examples ? { examples } : {}),
    provenance: provenanceOf(results, warnings),
    limits,
  };
}

/** Writes `report.html` and `summary.md` for an audit run folder. */
export async function writeRunReport(options: RunReportOptions): Promise<RunReport> {
  const runDir = path.resolve(options.runDir);
  const input = await readRunReportInput(runDir, options.limits);
  const html = await buildReport(input);
  const htmlFile = path.resolve(options.out ?? path.join(runDir, 'report.html'));
  const markdownFile = path.join(path.dirname(htmlFile), 'summary.md');
  await writeFileAtomic(htmlFile, html);
  await writeFileAtomic(markdownFile, renderMarkdownSummary(input));
  return { html: htmlFile, markdown: markdownFile, bytes: Buffer.byteLength(html), warnings: input.provenance.warnings ?? [] };
}
