/**
 * `runExplain`: explains a few images (files, a plain folder of images, or a dataset folder) with an ONNX
 * classifier and any of the eight saliency methods, writing per image and method the final map as a 16-bit
 * grey PNG, a plasma overlay over the X-ray as PNG, and a JSON with everything needed to reproduce it.
 * Images are keyed by file-name stem (files) or pseudonymous keys `img-001` (datasets), never DICOM ids.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Batch } from '../core/batch.js';
import { DataError, HeatcheckError, ModelError, UsageError } from '../core/errors.js';
import type { ProgressReporter, XrayImage } from '../core/types.js';
import { presets, type PresetName } from '../config/index.js';
import { detectDatasetFormat, encodeGreyPng, openDataset, readImage, type Split } from '../data/index.js';
import { jobLanes, loadOnnxModel, type OnnxModel } from '../engine/index.js';
import { overlayMap } from '../imaging/overlay.js';
import { resizeImage } from '../imaging/resize.js';
import { encodeRgbPng } from '../report/png.js';
import { explainSuite, getSaliencyMethod, saliencyMethodIds, type SaliencyMethodId } from '../saliency/index.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

/** How grey pixels in [0, 1] become network input: `inception` x*2-1 (the paper's InceptionV3), `imagenet` (x-mean)/std, `unit` as is. */
export type ExplainNormalization = 'inception' | 'imagenet' | 'unit';

/** The normalizations `runExplain` accepts. */
export const explainNormalizations: readonly ExplainNormalization[] = Object.freeze(['inception', 'imagenet', 'unit']);

// torchvision's ImageNet statistics; a grey image replicated into 3 channels gets each channel's own.
const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Images read and explained together (bounds memory; the engine sub-batches model calls further). */
const IMAGES_PER_CHUNK = 8;

/** Overlay opacity, as the report's thumbnails. */
const OVERLAY_ALPHA = 0.5;

/** Options of `runExplain`. */
export interface ExplainOptions {
  /** Path to the ONNX classifier. */
  readonly model: string;
  /** Image files (DICOM, PNG, JPEG), or one folder: a dataset (SIIM, RSNA, folder layout) or a folder of images. */
  readonly images: readonly string[];
  /** Method ids (see `saliencyMethodIds`). */
  readonly methods: readonly string[];
  readonly outDir: string;
  /** `predicted` (default, the paper) or a class index. */
  readonly target?: 'predicted' | number;
  /** Input height = width; needed when the model's spatial size is dynamic (default: the model's own). */
  readonly inputSize?: number;
  /** Method defaults and post-processing from this preset (default `recommended`). */
  readonly preset?: PresetName;
  /** Seed of the noise of SmoothGrad and Smooth IG (default: the preset's, 0). */
  readonly seed?: number;
  /** Most inputs per model call (default: the preset's, 32). */
  readonly batchSize?: number;
  /** Default `inception` ([-1, 1], the paper's InceptionV3). */
  readonly normalize?: ExplainNormalization;
  /** Dataset folders only: the split to explain (default: every item). */
  readonly split?: Split;
  /** Explain at most this many images (default: all). */
  readonly limit?: number;
  /** onnxruntime threads (default: all cores). */
  readonly threads?: number;
  /** Engine lanes (default `jobLanes`, 2, at most `threads`; `engine/options.ts`). Maps are the same for every value. */
  readonly lanes?: number;
  readonly onProgress?: ProgressReporter;
}

/** The files written for one image and method. */
export interface ExplainedMap {
  readonly image: string;
  readonly method: string;
  readonly map: string;
  readonly overlay: string;
  readonly metadata: string;
  readonly degenerate: boolean;
  readonly target: number;
}

/** What `runExplain` wrote. */
export interface ExplainRun {
  readonly outDir: string;
  /** `explain.json`: the run's settings and image keys. */
  readonly summary: string;
  readonly maps: readonly ExplainedMap[];
}

/** An image to explain: its key and how to read it. */
interface ImageSource {
  readonly key: string;
  /** Recorded in the metadata: the file name for files, nothing for dataset items (their ids may be patient-derived). */
  readonly fileName: string | null;
  load(): Promise<XrayImage>;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.dcm', '.dicom', '.dic']);

function checkOptions(options: ExplainOptions): { methods: SaliencyMethodId[]; preset: PresetName; normalize: ExplainNormalization } {
  if (options.methods.length === 0) throw new UsageError('explain-no-methods', 'no saliency methods given', { hint: `choose from: ${saliencyMethodIds.join(', ')}` });
  // getSaliencyMethod throws a UsageError listing the valid ids.
  for (const m of options.methods) getSaliencyMethod(m);
  const methods = [...new Set(options.methods)] as SaliencyMethodId[];
  const preset = options.preset ?? 'recommended';
  if (!Object.hasOwn(presets, preset)) throw new UsageError('explain-bad-preset', `unknown preset "${preset}"`, { hint: `use one of: ${Object.keys(presets).join(', ')}` });
  const normalize = options.normalize ?? 'inception';
  if (!explainNormalizations.includes(normalize)) throw new UsageError('explain-bad-normalize', `unknown normalization "${normalize}"`, { hint: `use one of: ${explainNormalizations.join(', ')}` });
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0)) throw new UsageError('explain-bad-option', `${name} must be a positive integer, got ${v}`);
  };
  positive('input size', options.inputSize);
  positive('batch size', options.batchSize);
  positive('limit', options.limit);
  positive('threads', options.threads);
  positive('lanes', options.lanes);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) throw new UsageError('explain-bad-option', `seed must be an integer, got ${options.seed}`);
  if (typeof options.target === 'number' && !(Number.isSafeInteger(options.target) && options.target >= 0)) {
    throw new UsageError('explain-bad-target', `target must be "predicted" or a class index >= 0, got ${options.target}`);
  }
  if (options.images.length === 0) throw new UsageError('explain-no-images', 'no images given', { hint: 'pass image files, a folder of images, or a dataset folder' });
  return { methods, preset, normalize };
}

/** Unique keys from file stems: a repeated stem gets `-2`, `-3`, ... */
function stemKeys(files: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return files.map((f) => {
    const stem = path.basename(f, path.extname(f)) || 'image';
    const n = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, n);
    return n === 1 ? stem : `${stem}-${n}`;
  });
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    // A missing path is reported by readImage with the file named.
    return false;
  }
}

/** Resolves the `images` argument to image sources (files, a folder of images, or a dataset's items). */
async function imageSources(options: ExplainOptions): Promise<ImageSource[]> {
  let files = [...options.images];
  if (files.length === 1 && (await isDirectory(files[0]!))) {
    const root = files[0]!;
    let dataset = true;
    try {
      await detectDatasetFormat(root);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      dataset = false;
    }
    if (dataset) {
      const opened = await openDataset(root);
      const items = [...opened.items(options.split)].slice(0, options.limit);
      if (items.length === 0) throw new DataError('explain-no-images', `the dataset has no items${options.split ? ` in the ${options.split} split` : ''}`, { file: root });
      // Dataset ids can be SOP Instance UIDs: key by position instead.
      return items.map((item, i) => ({ key: `img-${String(i + 1).padStart(3, '0')}`, fileName: null, load: () => item.loadImage() }));
    }
    const names = (await readdir(root)).filter((n) => IMAGE_EXTENSIONS.has(path.extname(n).toLowerCase())).sort();
    if (names.length === 0) throw new DataError('explain-no-images', 'the folder holds no DICOM, PNG or JPEG files and no dataset label file', { file: root });
    files = names.map((n) => path.join(root, n));
  } else if (options.split !== undefined) {
    throw new UsageError('explain-split-without-dataset', 'a split applies only to a dataset folder');
  }
  files = files.slice(0, options.limit);
  const keys = stemKeys(files);
  return files.map((file, i) => ({ key: keys[i]!, fileName: path.basename(file), load: () => readImage(file) }));
}

/** Grey [0, 1] images at the model size as an NCHW batch: replicated into each channel, then normalised. */
function toBatch(images: readonly Float32Array[], channels: number, height: number, width: number, normalize: ExplainNormalization): Batch {
  const plane = height * width;
  const data = new Float32Array(images.length * channels * plane);
  images.forEach((pixels, n) => {
    for (let c = 0; c < channels; c++) {
      const out = data.subarray((n * channels + c) * plane, (n * channels + c + 1) * plane);
      const mean = IMAGENET_MEAN[c % 3]!;
      const std = IMAGENET_STD[c % 3]!;
      for (let i = 0; i < plane; i++) {
        const v = pixels[i]!;
        out[i] = normalize === 'inception' ? v * 2 - 1 : normalize === 'imagenet' ? (v - mean) / std : v;
      }
    }
  });
  return { data, shape: [images.length, channels, height, width] };
}

/** What the metadata records about preprocessing. */
function preprocessingRecord(channels: number, height: number, width: number, normalize: ExplainNormalization): Record<string, unknown> {
  const pick = <T>(values: readonly T[]) => Array.from({ length: channels }, (_, c) => values[c % 3]!);
  return {
    resize: { width, height, method: 'area' },
    channels,
    replicate: 'grey copied into every channel',
    normalize,
    formula: normalize === 'inception' ? 'x * 2 - 1' : normalize === 'imagenet' ? '(x - mean) / std' : 'x',
    ...(normalize === 'imagenet' ? { mean: pick(IMAGENET_MEAN), std: pick(IMAGENET_STD) } : {}),
  };
}

/** Method options of a preset, as the audit resolves them (`config/wiring.ts` `methodOptions`). */
function presetMethodOptions(preset: PresetName, method: SaliencyMethodId, seed: number): Record<string, unknown> {
  const saliency = presets[preset].saliency!;
  const own = { ...(saliency.options?.[method] as Record<string, unknown> | undefined) };
  const stochastic = method === 'smoothgrad' || method === 'smooth-ig';
  return { ...own, ...(stochastic ? { seed, commonRandomNumbers: saliency.commonRandomNumbers ?? false } : {}) };
}

async function loadModel(file: string, options: Pick<ExplainOptions, 'inputSize' | 'threads' | 'lanes'>): Promise<{ model: OnnxModel; sha256: string }> {
  const { inputSize, threads, lanes } = options;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new ModelError('model-unreadable', `cannot read model file ${file} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, {}, { hint: 'check the path given to --model', cause });
  }
  try {
    const model = await loadOnnxModel(bytes, {
      name: path.basename(file),
      ...(inputSize !== undefined ? { inputSize: [inputSize, inputSize] as const } : {}),
      ...(threads !== undefined ? { threads } : {}),
      lanes: lanes ?? jobLanes,
    });
    return { model, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    if (error instanceof HeatcheckError) throw error;
    // Protobuf and onnxruntime failures: not a model heatcheck can use.
    throw new ModelError('model-invalid', `${file} is not a usable ONNX classifier: ${(error as Error).message}`, {}, { hint: 'check that the file is an ONNX model with one NCHW image input', cause: error });
  }
}

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Explains images with one model and several methods, writing maps, overlays and metadata into `outDir`. */
export async function runExplain(options: ExplainOptions): Promise<ExplainRun> {
  const started = performance.now();
  const { methods, preset, normalize } = checkOptions(options);
  const saliency = presets[preset].saliency!;
  const seed = options.seed ?? presets[preset].seed ?? 0;
  const batchSize = options.batchSize ?? saliency.batchSize ?? 32;
  const target = options.target ?? 'predicted';
  const outDir = path.resolve(options.outDir);
  const sources = await imageSources(options);
  const { model, sha256 } = await loadModel(options.model, options);
  const engine = { threads: model.stats().threads, lanes: model.stats().lanes };
  const [channels, height, width] = model.info.inputShape;
  const preprocessing = preprocessingRecord(channels, height, width, normalize);
  const methodOptions = Object.fromEntries(
    methods.map((m) => {
      const own = presetMethodOptions(preset, m, seed);
      // A null layer means the engine's default; name it so the metadata says which layer was used.
      if ((m === 'grad-cam' || m === 'guided-grad-cam') && own['layer'] == null && model.info.defaultCamLayer !== undefined) own['layer'] = model.info.defaultCamLayer;
      return [m, own];
    }),
  );
  const modelRecord = { file: path.basename(options.model), sha256, inputShape: model.info.inputShape, classes: model.info.numClasses, defaultCamLayer: model.info.defaultCamLayer };
  const maps: ExplainedMap[] = [];
  const report = (done: number) => options.onProgress?.({ stage: 'explain', done, total: sources.length });
  report(0);
  try {
    for (let start = 0; start < sources.length; start += IMAGES_PER_CHUNK) {
      const chunk = sources.slice(start, start + IMAGES_PER_CHUNK);
      const loaded = await Promise.all(chunk.map((s) => s.load()));
      const grey = loaded.map((img) => (img.width === width && img.height === height ? img.pixels : resizeImage(img.pixels, img.width, img.height, { width, height, method: 'area' })));
      const batch = toBatch(grey, channels, height, width, normalize);
      const results = await explainSuite(model, batch, { methods, methodOptions, target, batchSize, ...(saliency.postprocess ? { postprocess: saliency.postprocess } : {}) });
      for (const [i, source] of chunk.entries()) {
        for (const method of methods) {
          const r = results[method]![i]!;
          const folder = path.join(outDir, method);
          const files = { map: path.join(folder, `${source.key}.png`), overlay: path.join(folder, `${source.key}.overlay.png`), metadata: path.join(folder, `${source.key}.json`) };
          // A degenerate (NaN) map is stored as zeros; its overlay shows the X-ray alone; the JSON says so.
          const pixels = r.degenerate ? new Float32Array(r.final.data.length) : r.final.data;
          await writeFileAtomic(files.map, encodeGreyPng(pixels, r.final.width, r.final.height, 16));
          await writeFileAtomic(files.overlay, encodeRgbPng(overlayMap({ pixels: grey[i]!, width, height }, r.final, { colormap: 'plasma', alpha: OVERLAY_ALPHA })));
          await writeJsonAtomic(files.metadata, {
            image: source.key,
            ...(source.fileName !== null ? { file: source.fileName } : {}),
            method,
            model: modelRecord,
            preset,
            width: r.final.width,
            height: r.final.height,
            encoding: '16-bit grey PNG; map value = pixel / 65535 (a degenerate map is stored as zeros)',
            overlay: { colormap: 'plasma', alpha: OVERLAY_ALPHA },
            target: { requested: target, explained: r.target },
            seed: r.seed ?? null,
            options: r.options,
            postprocessing: r.steps,
            preprocessing,
            degenerate: r.degenerate,
            milliseconds: Math.round(r.milliseconds * 1000) / 1000,
            imageWarnings: loaded[i]!.warnings,
            tool: { name: 'heatcheck', version: packageVersion },
          });
          maps.push({ image: source.key, method, ...files, degenerate: r.degenerate, target: r.target });
        }
      }
      report(Math.min(sources.length, start + IMAGES_PER_CHUNK));
    }
  } finally {
    await model.dispose();
  }
  const summary = path.join(outDir, 'explain.json');
  await writeJsonAtomic(summary, {
    tool: { name: 'heatcheck', version: packageVersion, node: process.version },
    model: modelRecord,
    preset,
    seed,
    batchSize,
    target,
    methods,
    methodOptions,
    postprocess: saliency.postprocess ?? null,
    preprocessing,
    engine,
    images: sources.map((s) => ({ key: s.key, ...(s.fileName !== null ? { file: s.fileName } : {}) })),
    degenerate: maps.filter((m) => m.degenerate).map((m) => `${m.method}/${m.image}`),
    layout: '<method>/<image>.png (16-bit map), <method>/<image>.overlay.png (plasma over the X-ray), <method>/<image>.json (metadata)',
    seconds: Math.round(performance.now() - started) / 1000,
  });
  return { outDir, summary, maps };
}
