/**
 * The audit's explain and localize steps: one classifier at one randomization state explained with every
 * configured method on the selected images, a chunk of images at a time, each method's final maps
 * appended to its own map file; and a localization network's probability maps.
 */
import path from 'node:path';
import type { Batch } from '../../core/batch.js';
import type { AuditConfig } from '../../config/index.js';
import { methodOptions } from '../../config/index.js';
import { createGraphSession } from '../../engine/index.js';
import { toInput } from '../../models/index.js';
import { explainSuite, type SaliencyMethodId } from '../../saliency/index.js';
import { DATA_FILES } from './data.js';
import { createMapWriter, openMapReader, type MapWriter } from './map-store.js';
import { engineModel, threadsOption, type LoadedAuditModel } from './models.js';

/** Images explained per engine call group (bounded so memory does not grow with the image count). */
const IMAGES_PER_CHUNK = 8;

/** What an explain step returns: per method, degenerate flags, targets and time. */
export interface ExplainRecord {
  readonly model: string;
  readonly state: string;
  readonly methods: Record<string, { readonly file: string; readonly degenerate: boolean[]; readonly targets: number[]; readonly milliseconds: number; readonly options: Readonly<Record<string, unknown>> | null }>;
}

/** The map file name of a method. */
export function mapFile(method: string): string {
  return `${method}.f32`;
}

function chunkBatch(reader: ReturnType<typeof openMapReader>, start: number, end: number, preprocessing: LoadedAuditModel['built']['preprocessing'], size: number): Batch {
  const samples = [];
  for (let i = start; i < end; i++) samples.push({ pixels: reader.get(i).data, width: size, height: size });
  const input = toInput(samples, preprocessing);
  return { data: input.data, shape: [end - start, input.dims[1]!, size, size] };
}

/** Explains the selected images with one model state, writing one map file per method into `dir`. */
export async function explainState(
  model: LoadedAuditModel,
  stateIndex: number,
  stateName: string,
  config: AuditConfig,
  dataDir: string,
  imageCount: number,
  dir: string,
  progress: (done: number, total: number) => void,
): Promise<ExplainRecord> {
  const size = config.dataset.imageSize;
  const methods = config.saliency.methods as SaliencyMethodId[];
  const engine = await engineModel(model, stateIndex, config);
  const reader = openMapReader(path.join(dataDir, DATA_FILES.images), size, size);
  const writers = new Map<string, MapWriter>(methods.map((m) => [m, createMapWriter(path.join(dir, mapFile(m)), size, size)]));
  const record: ExplainRecord = { model: model.id, state: stateName, methods: {} };
  for (const m of methods) record.methods[m] = { file: mapFile(m), degenerate: [], targets: [], milliseconds: 0, options: null };
  const camLayer = model.card?.gradCamLayer ?? null;
  const perMethod: Partial<Record<SaliencyMethodId, Record<string, unknown>>> = {};
  for (const m of methods) {
    const options = methodOptions(config, m);
    // A null layer means the model card's Grad-CAM layer, else the engine's choice.
    if ((m === 'grad-cam' || m === 'guided-grad-cam') && options.layer === null) options.layer = camLayer;
    perMethod[m] = options;
  }
  const positive = model.card?.positiveClass ?? 1;
  try {
    for (let start = 0; start < imageCount; start += IMAGES_PER_CHUNK) {
      const end = Math.min(imageCount, start + IMAGES_PER_CHUNK);
      const batch = chunkBatch(reader, start, end, model.built.preprocessing, size);
      const target = config.saliency.target === 'label' ? new Array<number>(end - start).fill(positive) : 'predicted';
      const results = await explainSuite(engine, batch, { methods, methodOptions: perMethod, target, batchSize: config.saliency.batchSize, postprocess: config.saliency.postprocess });
      for (const m of methods) {
        const list = results[m] ?? [];
        const entry = record.methods[m]!;
        for (const r of list) {
          writers.get(m)!.append(r.final.data);
          entry.degenerate.push(r.degenerate);
          entry.targets.push(r.target);
        }
        record.methods[m] = { ...entry, milliseconds: entry.milliseconds + list.reduce((s, r) => s + r.milliseconds, 0), options: list[0]?.options ?? entry.options };
      }
      progress(end, imageCount);
    }
  } finally {
    for (const w of writers.values()) w.close();
    reader.close();
    await engine.dispose();
  }
  return record;
}

/** Runs a segmentation network on the selected images and writes its probability maps as `map.f32`. */
export async function localizeImages(model: LoadedAuditModel, config: AuditConfig, dataDir: string, imageCount: number, dir: string, progress: (done: number, total: number) => void): Promise<{ file: string; model: string }> {
  const size = config.dataset.imageSize;
  const session = await createGraphSession(model.graph, { name: model.id, ...threadsOption(config) });
  const reader = openMapReader(path.join(dataDir, DATA_FILES.images), size, size);
  const writer = createMapWriter(path.join(dir, 'map.f32'), size, size);
  try {
    for (let start = 0; start < imageCount; start += IMAGES_PER_CHUNK) {
      const end = Math.min(imageCount, start + IMAGES_PER_CHUNK);
      const batch = chunkBatch(reader, start, end, model.built.preprocessing, size);
      const out = await session.run({ [model.built.inputName]: { data: batch.data, dims: batch.shape } }, [model.built.outputName]);
      const probability = out[model.built.outputName]!;
      const plane = size * size;
      if (probability.data.length !== (end - start) * plane) throw new RangeError(`${model.id} returned ${probability.dims.join('x')} for ${end - start} images of ${size}x${size}`);
      for (let i = 0; i < end - start; i++) writer.append(probability.data.slice(i * plane, (i + 1) * plane));
      progress(end, imageCount);
    }
  } finally {
    writer.close();
    reader.close();
    await session.dispose();
  }
  return { file: 'map.f32', model: model.id };
}
