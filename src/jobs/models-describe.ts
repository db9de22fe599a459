/**
 * `models describe`: a built architecture or an .onnx file (with its model card next to it, when there
 * is one: `<name>.card.json`) described by the models layer.
 */
import { readFile } from 'node:fs/promises';
import { decodeModel } from '../graph/onnx-io.js';
import { buildArchitecture, describeBuilt, describeOnnx, parseModelCard, type ModelCard, type ModelDescription } from '../models/index.js';

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
  return describeOnnx(model, { name: target, ...(card ? { card } : {}) });
}
