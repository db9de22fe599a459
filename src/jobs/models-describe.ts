/**
 * `models describe`: a built architecture or an .onnx file (with its model card next to it, when there
 * is one: `<name>.card.json`) described by the models layer.
 */
import { readFile } from 'node:fs/promises';
import { loadOnnxModel } from '../engine/index.js';
import { decodeModel, encodeModel } from '../graph/onnx-io.js';
import { buildArchitecture, describeBuilt, describeOnnx, parseModelCard, untieSharedParameters, type ModelCard, type ModelDescription } from '../models/index.js';

/** Describes an architecture id or an ONNX file. */
export async function describeModelTarget(target: string, options: { inputSize?: number } = {}): Promise<ModelDescription> {
  if (!target.toLowerCase().endsWith('.onnx')) return describeBuilt(buildArchitecture(target, options.inputSize ? { inputSize: options.inputSize } : {}));
  const model = decodeModel(await readFile(target), target);
  let card: ModelCard | undefined;
  for (const file of [target.replace(/\.onnx$/i, '.card.json'), `${target}.card.json`]) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      card = parseModelCard(JSON.parse(text));
      break;
    }
  }
  if (card) return describeOnnx(model, { name: target, card });
  // Without a card, describe the model as `heatcheck audit` and `explain` will use it: parameters untied
  // (blocks as detected on the untied graph) and the engine's default Grad-CAM layer.
  const untied = untieSharedParameters(model);
  const described = describeOnnx(untied, { name: target });
  const camLayer = await engineCamLayer(untied, target, options.inputSize);
  return camLayer ? { ...described, gradCamLayer: camLayer } : described;
}

/** The engine's default Grad-CAM layer, or undefined when the engine cannot inspect the model at this size. */
async function engineCamLayer(model: Parameters<typeof encodeModel>[0], name: string, inputSize: number | undefined): Promise<string | undefined> {
  try {
    const engine = await loadOnnxModel(encodeModel(model), { name, threads: 1, checkGradients: false, ...(inputSize ? { inputSize: [inputSize, inputSize] as const } : {}) });
    try {
      return engine.info.defaultCamLayer;
    } finally {
      await engine.dispose();
    }
  } catch {
    return undefined;
  }
}
