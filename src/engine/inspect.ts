/**
 * Model inspection: the image input and logits output of a graph, the candidate Grad-CAM layers (4-D
 * float activations) with their shapes, the default Grad-CAM layer, and the resolution of the layer
 * names users pass (tensor names, node names or block names such as "layer4" or "mixed1").
 */
import type { LayerInfo } from '../core/types.js';
import { DataType, type Dim, type Model, type Node } from '../graph/ir.js';
import type { ActivationSizes } from './memory.js';
import { engineErrors } from './messages.js';

/** The image input of a model: its name and its static dims (undefined where symbolic). */
export interface ImageInput {
  readonly name: string;
  readonly channels: number;
  /** Fixed batch size, or undefined when the batch is dynamic. */
  readonly batch: number | undefined;
  readonly height: number | undefined;
  readonly width: number | undefined;
  readonly shape: readonly Dim[];
}

/** Full dims (batch included) of the float tensors of a forward graph, from one forward run. */
export type TensorShapes = ReadonlyMap<string, readonly number[]>;

/** What inspection finds at one image size. */
export interface Layout {
  readonly numClasses: number;
  readonly layers: readonly LayerInfo[];
  readonly defaultCamLayer: string | undefined;
  /** Why the default layer was chosen, in one sentence. */
  readonly camLayerReason: string;
  readonly sizes: ActivationSizes;
}

const staticDim = (d: Dim | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

/** Finds the single image input and checks it is a 4-D float NCHW tensor. */
export function findImageInput(model: Model, source: string): ImageInput {
  const initializerNames = new Set(model.graph.initializers.map((t) => t.name));
  // Old exports (IR < 4) also list initializers as inputs; they are weights, not images.
  const inputs = model.graph.inputs.filter((i) => !initializerNames.has(i.name));
  if (inputs.length !== 1) throw engineErrors.noImageInput(source, inputs.length);
  const input = inputs[0]!;
  const shape = input.shape;
  if (!shape || shape.length !== 4 || input.elemType !== DataType.FLOAT) {
    throw engineErrors.inputNotImage(source, input.name, shape, input.elemType);
  }
  const c = staticDim(shape[1]);
  const last = staticDim(shape[3]);
  if ((c === undefined || c > 4) && last !== undefined && last <= 4) throw engineErrors.inputChannelsLast(source, input.name, shape);
  if (c === undefined) throw engineErrors.dynamicChannels(source, input.name, shape);
  return { name: input.name, channels: c, batch: staticDim(shape[0]), height: staticDim(shape[2]), width: staticDim(shape[3]), shape };
}

/** The image size to use by default: the model's static size, or `requested`, which must agree with it. */
export function resolveImageSize(input: ImageInput, source: string, requested: readonly [number, number] | undefined): [number, number] {
  if (requested) {
    if ((input.height !== undefined && input.height !== requested[0]) || (input.width !== undefined && input.width !== requested[1])) {
      throw engineErrors.inputSizeMismatch(source, input.name, input.shape, requested);
    }
    return [requested[0], requested[1]];
  }
  if (input.height === undefined || input.width === undefined) throw engineErrors.dynamicSpatial(source, input.name, input.shape);
  return [input.height, input.width];
}

/** Whether the model accepts images of size h x w (dynamic spatial dims accept any size). */
export function acceptsSize(input: ImageInput, h: number, w: number): boolean {
  return (input.height === undefined || input.height === h) && (input.width === undefined || input.width === w);
}

/** The logits output: `requested`, or the only output, or the first 2-D output. */
export function findLogitsOutput(model: Model, source: string, requested: string | undefined): string {
  const outputs = model.graph.outputs;
  const names = outputs.map((o) => o.name);
  if (requested !== undefined) {
    const found = outputs.find((o) => o.name === requested);
    if (!found) throw engineErrors.unknownOutput(source, requested, names);
    if (found.shape && found.shape.length !== 2) throw engineErrors.outputNotLogits(source, found.name, found.shape);
    return found.name;
  }
  const first = outputs.length === 1 ? outputs[0] : outputs.find((o) => o.shape?.length === 2);
  if (!first) throw engineErrors.outputNotLogits(source, names[0] ?? '(none)', outputs[0]?.shape);
  if (first.shape && first.shape.length !== 2) throw engineErrors.outputNotLogits(source, first.name, first.shape);
  return first.name;
}

/** Tensors the output depends on (walking producers back from it). */
function ancestorsOf(nodes: readonly Node[], output: string): Set<string> {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const seen = new Set<string>([output]);
  const stack = [output];
  while (stack.length) {
    const node = producer.get(stack.pop()!);
    if (!node) continue;
    for (const i of node.inputs) {
      if (i && !seen.has(i)) {
        seen.add(i);
        stack.push(i);
      }
    }
  }
  return seen;
}

// Ops whose outputs describe a tensor's shape rather than its values.
const shapeOps = new Set(['Shape', 'Size']);

const spatial = (dims: readonly number[] | undefined): dims is readonly number[] =>
  dims !== undefined && dims.length === 4 && dims[2]! * dims[3]! > 1;

const collapsed = (dims: readonly number[] | undefined): boolean => dims !== undefined && !spatial(dims);

/** Candidate layers, the default Grad-CAM layer and per-image activation sizes, from forward shapes. */
export function inspectLayout(model: Model, input: ImageInput, output: string, shapes: TensorShapes): Layout {
  const nodes = model.graph.nodes;
  const onPath = ancestorsOf(nodes, output);
  const outDims = shapes.get(output);
  const numClasses = outDims?.[1] ?? staticDim(model.graph.outputs.find((o) => o.name === output)?.shape?.[1]) ?? 0;
  const layers: LayerInfo[] = [];
  let total = 0;
  let largest = 0;
  let collapse: { layer: string; node: Node } | undefined;
  const isLayer = new Set<string>();
  for (const node of nodes) {
    if (!shapeOps.has(node.opType)) {
      for (const name of node.inputs) {
        // A node that turns a spatial map into a non-spatial one is a global pooling / flatten.
        if (isLayer.has(name) && onPath.has(name) && node.outputs.every((o) => collapsed(shapes.get(o)))) collapse = { layer: name, node };
      }
    }
    for (const name of node.outputs) {
      const dims = shapes.get(name);
      if (!dims || shapeOps.has(node.opType)) continue;
      const perItem = dims.slice(1).reduce((a, b) => a * b, 1);
      total += perItem;
      largest = Math.max(largest, perItem);
      if (spatial(dims)) {
        layers.push({ name, shape: [dims[1]!, dims[2]!, dims[3]!] });
        isLayer.add(name);
      }
    }
  }
  const sizes: ActivationSizes = { input: input.channels * (shapes.get(input.name)?.[2] ?? 1) * (shapes.get(input.name)?.[3] ?? 1), total, largest };
  if (collapse) {
    const dims = shapes.get(collapse.layer)!;
    return {
      numClasses,
      layers,
      sizes,
      defaultCamLayer: collapse.layer,
      camLayerReason: `"${collapse.layer}" (${dims[1]}x${dims[2]}x${dims[3]}) is the last spatial activation: it feeds ${collapse.node.opType} node "${collapse.node.name}", the pooling before the classifier`,
    };
  }
  const last = [...layers].reverse().find((l) => onPath.has(l.name));
  return {
    numClasses,
    layers,
    sizes,
    defaultCamLayer: last?.name,
    camLayerReason: last
      ? `no global pooling found; "${last.name}" is the last 4-D activation the logits depend on`
      : 'the model has no spatial activation, so Grad-CAM has no default layer',
  };
}

/**
 * Resolves a layer name to a candidate tensor: an exact tensor name, a node name (its output), or a
 * block name ("mixed1", "layer4", "features.denseblock4": path segments of node names), which means
 * the block's last 4-D activation in graph order.
 */
export function resolveLayer(model: Model, layers: readonly LayerInfo[], name: string): string {
  const candidates = new Set(layers.map((l) => l.name));
  if (candidates.has(name)) return name;
  const nodes = model.graph.nodes;
  const byName = nodes.find((n) => n.name === name);
  const own = byName?.outputs.find((o) => candidates.has(o));
  if (own) return own;
  const wanted = name.split(/[/.]/).filter(Boolean);
  if (wanted.length) {
    let found: string | undefined;
    for (const node of nodes) {
      if (!containsRun(node.name.split(/[/.]/).filter(Boolean), wanted)) continue;
      for (const o of node.outputs) if (candidates.has(o)) found = o;
    }
    if (found) return found;
  }
  throw engineErrors.unknownLayer(name, suggest(name, layers));
}

function containsRun(haystack: readonly string[], run: readonly string[]): boolean {
  // The last segment is the op's own name, never a block.
  for (let i = 0; i + run.length <= haystack.length - 1; i++) {
    if (run.every((s, k) => haystack[i + k] === s)) return true;
  }
  return false;
}

function suggest(name: string, layers: readonly LayerInfo[]): string[] {
  const lower = name.toLowerCase();
  const close = layers.filter((l) => l.name.toLowerCase().includes(lower) || lower.includes(l.name.toLowerCase()));
  const pool = close.length ? close : layers.slice(-3);
  return pool.slice(-5).map((l) => l.name);
}
