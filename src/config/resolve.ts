/**
 * Config resolution: preset, then the config file, then command-line overrides, deep-merged (objects
 * merge, arrays and values replace), validated in full, with the source of every resolved option
 * recorded. Problems become `ConfigError`s naming the source that set the field (the file, the preset or
 * the command line) and the field path. No I/O: callers read the file and pass its text.
 */
import { z } from 'zod';
import { UsageError, type ConfigError } from '../core/errors.js';
import { gradCam } from '../saliency/grad-cam.js';
import { gradient } from '../saliency/gradient.js';
import { guidedBackprop } from '../saliency/guided-backprop.js';
import { guidedGradCam } from '../saliency/guided-grad-cam.js';
import { integratedGradients } from '../saliency/integrated-gradients.js';
import { smoothIg } from '../saliency/smooth-ig.js';
import { smoothgrad } from '../saliency/smoothgrad.js';
import { xrai } from '../saliency/xrai.js';
import { configErrors, fieldHints, type ConfigPlace } from './messages.js';
import { presets } from './presets.js';
import { auditConfigSchema, configMethodIds, presetNames, type AuditConfig, type PresetName } from './schema.js';

/** One source of config values: a file, a preset or a command-line flag, with its parsed content. */
export interface ConfigLayer {
  /** Named in errors and in `sources`: a file path, `preset arun2021`, `--set a.b=1`. */
  readonly source: string;
  readonly data: unknown;
}

/** Options of `resolveConfig`. */
export interface ResolveOptions {
  /** The preset (e.g. from `--preset`); otherwise the last layer's `preset` field, else `recommended`. */
  readonly preset?: string;
  /** The parsed config file. */
  readonly file?: ConfigLayer;
  /** Command-line overrides, applied in order after the file. */
  readonly overrides?: readonly ConfigLayer[];
}

/** A validated config with where each option came from. */
export interface ResolvedConfig {
  readonly config: AuditConfig;
  readonly preset: PresetName;
  /** Source of every resolved leaf option, by path (e.g. `criteria.ssim.dataRange` -> `preset arun2021`). */
  readonly sources: Readonly<Record<string, string>>;
}

/** The default preset when none is named. */
export const defaultPreset: PresetName = 'recommended';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** Formats a field path as written in messages and overrides: `saliency.methods[2]`, `saliency.options.grad-cam.layer`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out;
}

/** Deep merge: objects merge key by key, anything else (arrays included) in `over` replaces `base`; inputs are not modified. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (over === undefined) return clone(base);
  if (!isObject(base) || !isObject(over)) return clone(over);
  const out: Json = clone(base) as Json;
  for (const [key, value] of Object.entries(over)) out[key] = mergeConfig(out[key], value);
  return out;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

function recordSources(value: unknown, source: string, path: string, sources: Map<string, string>): void {
  if (isObject(value)) {
    const entries = Object.entries(value);
    // An empty object (e.g. a method without options) is a leaf only where nothing was set yet.
    if (entries.length === 0 && path && ![...sources.keys()].some((k) => k === path || k.startsWith(`${path}.`))) sources.set(path, source);
    for (const [key, v] of entries) recordSources(v, source, path ? `${path}.${key}` : key, sources);
    return;
  }
  if (!path || value === undefined) return;
  // A value replacing an object owns the whole subtree.
  for (const key of [...sources.keys()]) if (key.startsWith(`${path}.`)) sources.delete(key);
  sources.set(path, source);
}

function sourceOf(path: string, sources: ReadonlyMap<string, string>, fallback: string): string {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const stripped = p.replace(/\[\d+\]$/, '');
    const s = sources.get(p) ?? sources.get(stripped);
    if (s) return s;
    // A field inside an array element belongs to whoever set the array.
    const arrayAt = p.indexOf('[');
    if (arrayAt > 0) {
      const arr = sources.get(p.slice(0, arrayAt));
      if (arr) return arr;
    }
  }
  return fallback;
}

/** Parses a config file's text (JSON); YAML files and syntax errors become `ConfigError`s naming the file and the line. */
export function parseConfigText(text: string, file: string): ConfigLayer {
  if (/\.ya?ml$/i.test(file)) throw configErrors.yamlUnsupported(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const detail = (error as Error).message;
    const position = /position (\d+)/.exec(detail);
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset).split('\n');
      throw configErrors.invalidJson(file, detail, before.length, before[before.length - 1]!.length + 1);
    }
    throw configErrors.invalidJson(file, detail);
  }
  if (!isObject(data)) throw configErrors.notAnObject(file, Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data);
  return { source: file, data };
}

/**
 * Parses one `--set path=value` override into a layer: the value is read as JSON when it parses (numbers,
 * booleans, null, arrays, quoted strings) and as a plain string otherwise.
 */
export function parseSetOverride(text: string): ConfigLayer {
  const eq = text.indexOf('=');
  if (eq <= 0) throw configErrors.badOverride(text, 'expected path=value');
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  const parts = path.split('.');
  if (parts.some((p) => p.length === 0 || !/^[A-Za-z0-9_$-]+$/.test(p))) throw configErrors.badOverride(text, `"${path}" is not a field path like a.b.c`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  let data: unknown = value;
  for (let i = parts.length - 1; i >= 0; i--) data = { [parts[i]!]: data };
  return { source: `--set ${text}`, data };
}

/** Walks the schema along a path (objects by key, arrays by element, optional/nullable/union unwrapped). */
function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = auditConfigSchema;
  for (const part of path) {
    schema = unwrap(schema);
    if (!schema) return undefined;
    if (schema instanceof z.ZodArray && typeof part === 'number') schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodObject && typeof part === 'string') schema = (schema.shape as Record<string, z.ZodType>)[part];
    else if (schema instanceof z.ZodUnion) {
      const options = schema.options as readonly z.ZodType[];
      schema = options.map(unwrap).find((o): o is z.ZodObject => o instanceof z.ZodObject && typeof part === 'string' && part in o.shape)?.shape[part as string] as z.ZodType | undefined;
    } else return undefined;
  }
  return unwrap(schema);
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s;
}

function allowedKeys(path: readonly PropertyKey[]): string[] {
  const schema = schemaAt(path);
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodUnion) {
    const keys = new Set<string>();
    for (const o of schema.options as readonly z.ZodType[]) if (o instanceof z.ZodObject) for (const k of Object.keys(o.shape)) keys.add(k);
    return [...keys];
  }
  return [];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[part];
  }
  return v;
}

function describeExpected(issue: z.core.$ZodIssue, path: readonly PropertyKey[]): string {
  const schema = schemaAt(path);
  if (schema instanceof z.ZodEnum) return `one of ${(schema.options as readonly unknown[]).join(', ')}`;
  if ('expected' in issue && typeof issue.expected === 'string') return issue.expected === 'object' ? 'an object' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
  return 'a value';
}

const isMethodsPath = (path: readonly PropertyKey[]): boolean => path.length === 3 && path[0] === 'saliency' && path[1] === 'methods' && typeof path[2] === 'number';

function issueToError(issue: z.core.$ZodIssue, data: unknown, where: (path: string) => string): ConfigError {
  const path = issue.path as readonly PropertyKey[];
  const pathText = formatPath(path);
  const place = (p: string): ConfigPlace => ({ file: where(p), ...(p ? { path: p } : {}) });
  const value = valueAt(data, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const first = formatPath([...path, issue.keys[0]!]);
      if (pathText === 'saliency.options') return configErrors.unknownMethod(place(first), issue.keys[0], configMethodIds);
      return configErrors.unknownField(place(pathText ? first : issue.keys[0]!), issue.keys, allowedKeys(path));
    }
    case 'invalid_value': {
      if (value === undefined) return configErrors.missingField(place(pathText), describeExpected(issue, path));
      if (isMethodsPath(path)) return configErrors.unknownMethod(place(pathText), value, configMethodIds);
      if (pathText === 'preset') return configErrors.unknownPreset(place(pathText), value, presetNames);
      return configErrors.invalidChoice(place(pathText), value, issue.values);
    }
    case 'invalid_type': {
      if (value === undefined) return configErrors.missingField(place(pathText), describeExpected(issue, path), fieldHints[pathText]);
      return configErrors.wrongType(place(pathText), describeExpected(issue, path), value, fieldHints[pathText]);
    }
    case 'too_small':
    case 'too_big': {
      const below = issue.code === 'too_small';
      const bound = below ? issue.minimum : issue.maximum;
      if (issue.origin === 'array') {
        return configErrors.invalid(place(pathText), `has ${Array.isArray(value) ? value.length : 0} item(s); expected ${below ? 'at least' : 'at most'} ${String(bound)}`);
      }
      const op = below ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return configErrors.outOfRange(place(pathText), value, `a number ${op} ${String(bound)}`);
    }
    case 'invalid_union': {
      // Report the branch that came closest (fewest problems).
      const branches = (issue.errors ?? []).filter((b) => b.length > 0).sort((a, b) => a.length - b.length);
      // Alternatives of plain values (e.g. a count or "all"): list them all.
      if (value !== undefined && branches.length > 1 && branches.every((b) => b.length === 1 && b[0]!.path.length === 0)) {
        const forms = branches.map((b) => {
          const only = b[0]!;
          if (only.code === 'invalid_value') return only.values.map((v) => JSON.stringify(v)).join(' or ');
          if (only.code === 'invalid_type') return `a ${only.expected}`;
          return only.message;
        });
        return configErrors.wrongType(place(pathText), forms.join(' or '), value);
      }
      const best = branches[0]?.[0];
      if (best && branches[0]!.length === 1) return issueToError({ ...best, path: [...path, ...best.path] } as z.core.$ZodIssue, data, where);
      if (value === undefined) return configErrors.missingField(place(pathText), 'a value');
      return configErrors.invalid(place(pathText), `${JSON.stringify(value)} matches none of the allowed forms`, unionHint(path));
    }
    default:
      return configErrors.invalid(place(pathText), issue.message);
  }
}

function unionHint(path: readonly PropertyKey[]): string | undefined {
  if (path.includes('models')) return 'a model is {"onnx": "model.onnx", "card": "model.card.json"} or {"train": {"seed": 1}}';
  return undefined;
}

const methodResolvers: Readonly<Record<string, (options: Record<string, unknown>) => unknown>> = {
  gradient: (o) => gradient.resolve(o),
  smoothgrad: (o) => smoothgrad.resolve(o),
  'integrated-gradients': (o) => integratedGradients.resolve(o),
  'smooth-ig': (o) => smoothIg.resolve(o),
  'grad-cam': (o) => gradCam.resolve(o),
  'guided-backprop': (o) => guidedBackprop.resolve(o),
  'guided-grad-cam': (o) => guidedGradCam.resolve(o),
  xrai: (o) => xrai.resolve(o as never),
};

/** Checks that no schema can express: required-unless fields, counts, and each method's own option validation. */
function crossFieldProblems(config: AuditConfig, where: (path: string) => string): ConfigError[] {
  const problems: ConfigError[] = [];
  const at = (p: string): ConfigPlace => ({ file: where(p), path: p });
  if (config.dataset.format !== 'phantom' && config.dataset.root === undefined) {
    problems.push(configErrors.missingField(at('dataset.root'), `the ${config.dataset.format} dataset folder`));
  }
  if (config.dataset.phantom !== undefined && config.dataset.format !== 'phantom') {
    problems.push(configErrors.invalid(at('dataset.phantom'), `phantom options apply only to format phantom, not ${config.dataset.format}`));
  }
  if (config.models.replicates.models.length < 2) {
    problems.push(configErrors.invalid(at('models.replicates.models'), `has ${config.models.replicates.models.length} model(s); repeatability needs at least 2 replicates`));
  }
  const groups: [string, { architecture?: string | undefined; models: readonly object[] }][] = [
    ['models.replicates', config.models.replicates],
    ...config.models.others.map((g, i): [string, typeof g] => [`models.others[${i}]`, g]),
    ...config.models.localization.map((g, i): [string, typeof g] => [`models.localization[${i}]`, g]),
  ];
  for (const [path, group] of groups) {
    if (group.architecture === undefined && group.models.some((m) => 'train' in m)) {
      problems.push(configErrors.missingField(at(`${path}.architecture`), 'the architecture to build', 'models listed with "train" are built and trained here'));
    }
  }
  const seen = new Set<string>();
  config.saliency.methods.forEach((m, i) => {
    if (seen.has(m)) problems.push(configErrors.invalid(at(`saliency.methods[${i}]`), `method "${m}" is listed twice`));
    seen.add(m);
  });
  for (const [id, options] of Object.entries(config.saliency.options)) {
    try {
      methodResolvers[id]?.(options as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(configErrors.invalid(at(`saliency.options.${id}`), error.message.split('\n')[0]!));
    }
  }
  const b = config.criteria.utility.binarize;
  if (b.method === 'top-percent' && b.percent === undefined) problems.push(configErrors.missingField(at('criteria.utility.binarize.percent'), 'a percentage in (0, 100]'));
  if (b.method === 'fixed' && b.threshold === undefined) problems.push(configErrors.missingField(at('criteria.utility.binarize.threshold'), 'a threshold'));
  const s = config.criteria.ssim;
  if (s.window === 'gaussian' && s.winSize !== 2 * Math.round(s.truncate * s.sigma) + 1) {
    problems.push(configErrors.invalid(at('criteria.ssim.winSize'), `is ${s.winSize}, but a Gaussian window with sigma ${s.sigma} truncated at ${s.truncate} has size ${2 * Math.round(s.truncate * s.sigma) + 1}`));
  }
  return problems;
}

/** Every problem of a merged config, as `ConfigError`s (empty when valid); `where` names the source of a path. */
export function configProblems(data: unknown, where: (path: string) => string = () => 'config'): ConfigError[] {
  const parsed = auditConfigSchema.safeParse(data);
  if (!parsed.success) return parsed.error.issues.map((issue) => issueToError(issue, data, where));
  return crossFieldProblems(parsed.data, where);
}

/**
 * Checks one user layer on its own: SSIM settings given without `dataRange` are rejected, so nobody
 * changes the window and silently inherits a preset's data range (the paper's data_range 2 defect).
 */
function checkLayer(layer: ConfigLayer): void {
  const ssim = valueAt(layer.data, ['criteria', 'ssim']);
  if (isObject(ssim) && Object.keys(ssim).length > 0 && ssim.dataRange === undefined) {
    throw configErrors.missingField({ file: layer.source, path: 'criteria.ssim.dataRange' }, 'a positive number', fieldHints['criteria.ssim.dataRange']);
  }
}

function pickPreset(options: ResolveOptions, layers: readonly ConfigLayer[]): PresetName {
  let name: unknown = options.preset;
  let source = 'command line';
  if (name === undefined) {
    for (const layer of layers) {
      if (isObject(layer.data) && layer.data.preset !== undefined) {
        name = layer.data.preset;
        source = layer.source;
      }
    }
  }
  if (name === undefined) return defaultPreset;
  if (!(presetNames as readonly unknown[]).includes(name)) throw configErrors.unknownPreset({ file: source, path: 'preset' }, name, presetNames);
  return name as PresetName;
}

/**
 * Resolves a config: the preset (see `ResolveOptions.preset`), then the file, then each override,
 * deep-merged and validated in full. Throws the first `ConfigError` (naming the source and field, with the
 * others in its hint); returns the config and the source of every option.
 */
export function resolveConfig(options: ResolveOptions = {}): ResolvedConfig {
  const layers = [...(options.file ? [options.file] : []), ...(options.overrides ?? [])];
  for (const layer of layers) if (!isObject(layer.data)) throw configErrors.notAnObject(layer.source, Array.isArray(layer.data) ? 'an array' : typeof layer.data);
  for (const layer of layers) checkLayer(layer);
  const preset = pickPreset(options, layers);
  const sources = new Map<string, string>();
  const all: ConfigLayer[] = [{ source: `preset ${preset}`, data: presets[preset] }, ...layers, { source: `preset ${preset}`, data: { preset } }];
  let merged: unknown = {};
  for (const layer of all) {
    merged = mergeConfig(merged, layer.data);
    recordSources(layer.data, layer.source, '', sources);
  }
  const fallback = options.file?.source ?? `preset ${preset}`;
  const where = (path: string): string => sourceOf(path, sources, fallback);
  const problems = configProblems(merged, where);
  if (problems.length) throw configErrors.withOthers(problems[0]!, problems.slice(1));
  const config = auditConfigSchema.parse(merged);
  return { config, preset, sources: Object.fromEntries([...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

/** Validates an already merged config (e.g. read back from results.json); throws the first problem as a `ConfigError`. */
export function validateConfig(data: unknown, source = 'config'): AuditConfig {
  const problems = configProblems(data, () => source);
  if (problems.length) throw configErrors.withOthers(problems[0]!, problems.slice(1));
  return auditConfigSchema.parse(data);
}

