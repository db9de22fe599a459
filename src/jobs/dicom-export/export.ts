/**
 * `exportRunDicom`: writes an audit run's final maps as DICOM Parametric Maps (one per image, model and
 * method, float32 on the source image's grid) and their thresholded masks as one binary DICOM
 * Segmentation per image and model (a segment per method), each referencing its source image, plus an
 * `export.json` manifest. Files are written atomically; the same run exports to the same bytes and UIDs.
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { stableHash } from '../../core/hash.js';
import { criteriaSettings, validateConfig } from '../../config/index.js';
import type { BinarizeRule } from '../../metrics/index.js';
import {
  deidentificationMethod,
  encodeDicomFile,
  methodLabel,
  parametricMapDataset,
  segmentationDataset,
  type DicomSourceImage,
  type SegmentInput,
} from '../../report/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../atomic.js';
import { readRunResults } from '../report.js';
import { derivedInstance, dicomDateTime, onSourceGrid, ruleText, thresholdMap, type ExportContext } from './build.js';
import { readRunMap } from './maps.js';
import { exportErrors } from './messages.js';
import { runSourceItems, sourceImageOf } from './sources.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Options of `exportRunDicom`. */
export interface RunDicomExportOptions {
  /** The audit's run folder. */
  readonly runDir: string;
  /** Output folder (default `<run>/dicom`). */
  readonly out?: string;
  /** Models to export (default: the first replicate, whose maps the utility criterion scores); `all` for every model. */
  readonly models?: readonly string[] | 'all';
  /** Methods to export (default: all of each model's). */
  readonly methods?: readonly string[];
  /** Image keys to export (default: all). */
  readonly images?: readonly string[];
  /** A fixed threshold for the segmentations instead of the audit's rule (`criteria.utility.binarize`). */
  readonly threshold?: number;
  /** What the run config's relative paths resolve against (default: the folder recorded in results.json). */
  readonly baseDir?: string;
}

/** One file written. */
export interface RunDicomExportFile {
  /** Path relative to the output folder. */
  readonly file: string;
  readonly kind: 'parametric-map' | 'segmentation';
  readonly image: string;
  readonly model: string;
  /** The methods in the file (one for a parametric map, the segments' for a segmentation). */
  readonly methods: readonly string[];
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** Segmentations: the threshold of each segment. */
  readonly thresholds?: Readonly<Record<string, number>>;
  readonly bytes: number;
}

/** What `exportRunDicom` wrote. */
export interface RunDicomExport {
  readonly outDir: string;
  readonly manifest: string;
  readonly files: readonly RunDicomExportFile[];
  readonly bytes: number;
  readonly warnings: readonly string[];
}

type Json = Record<string, unknown>;

/** Checks a filter against the run's choices (a UsageError naming the valid ones). */
function pick(flag: string, wanted: readonly string[] | undefined, choices: readonly string[]): readonly string[] {
  if (!wanted) return choices;
  for (const w of wanted) if (!choices.includes(w)) throw exportErrors.unknownChoice(flag, w, choices);
  return choices.filter((c) => wanted.includes(c));
}

/** Writes the DICOM export of a run folder (see the module comment and docs/report.md, DICOM export). */
export async function exportRunDicom(options: RunDicomExportOptions): Promise<RunDicomExport> {
  const runDir = path.resolve(options.runDir);
  const resultsFile = path.join(runDir, 'results.json');
  const results = await readRunResults(runDir);
  const config = validateConfig(results['config'], resultsFile);
  const inputs = results['inputs'] as Json;
  const steps = inputs['steps'] as Record<string, string>;
  const roles = Object.entries(inputs['models'] as Record<string, Json>).map(([id, m]) => ({ id, role: String(m['role']) }));
  const keys = (results['images'] as Json)['keys'] as string[];
  const localizationMethod = ((results['utility'] as Json | undefined)?.['network'] as Json | undefined)?.['method'];

  const allModels = roles.map((m) => m.id);
  const firstReplicate = roles.find((m) => m.role === 'replicates')?.id ?? allModels[0]!;
  const models = options.models === 'all' ? allModels : pick('models', options.models ?? [firstReplicate], allModels);
  const methodsOf = (model: string): string[] =>
    roles.find((m) => m.id === model)?.role === 'localization' ? (typeof localizationMethod === 'string' ? [localizationMethod] : []) : [...config.saliency.methods];
  const allMethods = [...new Set(models.flatMap(methodsOf))];
  const methods = pick('methods', options.methods, allMethods);
  const images = pick('images', options.images, keys);
  if (models.length === 0 || methods.length === 0 || images.length === 0) throw exportErrors.nothingSelected();

  const fromAudit = options.threshold === undefined;
  const rule: BinarizeRule = fromAudit ? criteriaSettings(config).localization.binarize ?? { method: 'otsu' } : { method: 'fixed', threshold: options.threshold! };
  const baseDir = options.baseDir ?? (typeof results['baseDir'] === 'string' ? results['baseDir'] : process.cwd());
  const itemsHash = (inputs['dataset'] as Json)['items'] as string;
  const { items, phantom } = await runSourceItems(config, baseDir, runDir, itemsHash, images);
  // Content Date/Time: when the audit wrote its results (UTC), so a re-export writes the same bytes.
  const when = dicomDateTime((await stat(resultsFile)).mtime);
  const context: ExportContext = { run: stableHash(steps), contentDate: when.date, contentTime: when.time, software: { name: 'heatcheck', version: packageVersion } };

  const outDir = path.resolve(options.out ?? path.join(runDir, 'dicom'));
  const files: RunDicomExportFile[] = [];
  const warnings: string[] = [];
  const sources: Record<string, DicomSourceImage> = {};
  const write = async (entry: Omit<RunDicomExportFile, 'bytes'>, bytes: Uint8Array): Promise<void> => {
    await writeFileAtomic(path.join(outDir, entry.file), bytes);
    files.push({ ...entry, bytes: bytes.length });
  };

  for (const key of images) {
    const source = await sourceImageOf(items.get(key)!, phantom);
    sources[key] = source;
    for (const model of models) {
      const modelRef = { id: model, index: allModels.indexOf(model) };
      const localization = roles.find((m) => m.id === model)?.role === 'localization';
      const segments: SegmentInput[] = [];
      const thresholds: Record<string, number> = {};
      const segmentSteps: string[] = [];
      for (const method of methodsOf(model).filter((m) => methods.includes(m))) {
        const runMap = await readRunMap(runDir, steps, { model, method, localization }, keys.indexOf(key), key, config.dataset.imageSize);
        if (runMap.degenerate) {
          warnings.push(`${model} / ${method} / ${key}: degenerate (constant) map, left out`);
          continue;
        }
        if (runMap.encoding === 'png16') warnings.push(`${model} / ${method} / ${key}: step cache missing, 16-bit maps/ PNG used`);
        const onGrid = onSourceGrid(runMap.map, source);
        const description = `${method} map of ${model}, post-processed to [0, 1]`;
        const instance = derivedInstance(context, source, 'parametric-map', modelRef, methodsOf(model).indexOf(method) + 1, [method, runMap.step, runMap.encoding]);
        const dataset = parametricMapDataset({ source, instance, map: onGrid, label: methodLabel(method), description });
        await write(
          { file: path.join(model, key, `pm-${method}.dcm`), kind: 'parametric-map', image: key, model, methods: [method], sopInstanceUid: instance.sopInstanceUid, seriesInstanceUid: instance.seriesInstanceUid },
          encodeDicomFile(dataset, context.software),
        );
        const t = thresholdMap(runMap.map, onGrid, rule);
        thresholds[method] = t.threshold;
        segmentSteps.push(runMap.step, runMap.encoding);
        segments.push({
          method,
          label: `${methodLabel(method)} ${t.inclusive ? '>=' : '>'} ${t.threshold.toPrecision(4)}`,
          algorithmName: `heatcheck ${method} (${model})`,
          description: `${description}, ${t.inclusive ? 'at or above' : 'above'} ${t.threshold} by the ${ruleText(rule, fromAudit)}`,
          mask: t.mask,
        });
      }
      if (segments.length === 0) continue;
      const instance = derivedInstance(context, source, 'segmentation', modelRef, 1, [stableHash(rule), ...segments.map((s) => s.method), ...segmentSteps]);
      const dataset = segmentationDataset({ source, instance, segments, description: `saliency of ${model} by ${ruleText(rule, false)}` });
      await write(
        { file: path.join(model, key, 'seg.dcm'), kind: 'segmentation', image: key, model, methods: segments.map((s) => s.method), sopInstanceUid: instance.sopInstanceUid, seriesInstanceUid: instance.seriesInstanceUid, thresholds },
        encodeDicomFile(dataset, context.software),
      );
    }
  }

  const manifest = path.join(outDir, 'export.json');
  await writeJsonAtomic(manifest, {
    tool: context.software,
    run: { results: resultsFile, preset: results['preset'] ?? null },
    threshold: { rule, source: fromAudit ? 'criteria.utility.binarize' : '--threshold' },
    patientIdentifiers: deidentificationMethod,
    // Source UIDs generated by heatcheck (PNG, JPEG, phantom): hashUid of the image's bytes or pixels.
    sources: Object.fromEntries(Object.entries(sources).map(([key, s]) => [key, { ...s, generatedUids: s.kind !== 'dicom' }])),
    files,
    warnings,
  });
  return { outDir, manifest, files, bytes: files.reduce((n, f) => n + f.bytes, 0), warnings };
}
