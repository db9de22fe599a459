/**
 * Convolutions with runtime weights in onnxruntime's blocked-channel (NCHWc) form.
 *
 * onnxruntime rewrites a Conv into its fast NCHWc kernel only when the weights are constant, because it
 * reorders them once at load. In a training graph the weights are inputs, so every Conv ran on the plain
 * NCHW path (im2col + GEMM). The NCHWc kernel (`com.microsoft.nchwc` Conv) takes already-reordered
 * weights at run time as well, so this pass rewrites each eligible Conv as
 *   ReorderInput(x) -> nchwc Conv(x', W') -> ReorderOutput
 * with W' a new graph input that the caller fills with the weights in the blocked layout (OIHWBiBo:
 * [M/b, C/b, kh, kw, b (input channel), b (output channel)], b = the machine's block size, 8 with AVX2
 * and 16 with AVX-512). Two kinds of Conv qualify:
 * - forward: the weight is one of the given weight inputs;
 * - input gradient: the weight is that input flipped and transposed by the Conv gradient rule (the
 *   Reshape -> MatMul(reversal) -> Reshape -> Transpose chain of `flipTransposeRuntime`, or the lone
 *   Transpose of a 1x1 kernel); its blocked input holds W[m, c, kh-1-i, kw-1-j] as a [C, M, kh, kw]
 *   weight, so the chain is dropped.
 * Only group-1 2-D Convs whose channel counts are multiples of the block qualify (no padding needed);
 * the others stay as they are. Measured on the InceptionV3@320 training step (docs/models.md).
 */
import type { Attribute, Model, Node, Tensor } from './ir.js';

export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** A blocked weight the caller feeds: `input` holds `weight` ([M, C, kh, kw]) in the blocked layout. */
export interface BlockedWeight {
  /** The new graph input. */
  readonly input: string;
  /** The weight input it is computed from. */
  readonly weight: string;
  /** False: W itself, blocked ([M, C, kh, kw]); true: W flipped and transposed, blocked ([C, M, kh, kw]). */
  readonly flipped: boolean;
  /** Dims of `weight`, [M, C, kh, kw]. */
  readonly dims: readonly [number, number, number, number];
}

/** What `blockConvs` did. */
export interface BlockedConvs {
  readonly model: Model;
  readonly weights: readonly BlockedWeight[];
  /** Convs rewritten, forward and input-gradient. */
  readonly convs: number;
  /** Weight inputs no longer used by the graph (removed from its inputs; do not feed them). */
  readonly droppedInputs: readonly string[];
}

const ints = (value: number[]): Attribute => ({ type: 'ints', value });

function intsOf(node: Node, key: string): number[] | undefined {
  const a = node.attributes[key];
  return a?.type === 'ints' ? a.value : undefined;
}

function isDefaultDomain(node: Node): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

function sameInts(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return !!a && a.length === b.length && a.every((v, i) => v === b[i]);
}

function intValues(t: Tensor | undefined): number[] | undefined {
  if (!t) return undefined;
  if (t.data instanceof BigInt64Array) return Array.from(t.data, Number);
  if (t.data instanceof Int32Array) return Array.from(t.data);
  return undefined;
}

/** True for a [k, k] constant that reverses a vector (ones on the anti-diagonal, zeros elsewhere). */
function isReversal(t: Tensor | undefined, k: number): boolean {
  if (!t || !sameInts(t.dims, [k, k]) || !(t.data instanceof Float32Array || t.data instanceof Float64Array)) return false;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (t.data[i * k + j] !== (j === k - 1 - i ? 1 : 0)) return false;
  return true;
}

/**
 * Rewrites the eligible Convs of `model` for block size `block`; `weights` are the weight inputs the
 * caller feeds. Returns the model unchanged (and no blocked weights) when nothing qualifies.
 */
export function blockConvs(model: Model, options: { readonly block: number; readonly weights: readonly string[] }): BlockedConvs {
  const { block } = options;
  const graph = model.graph;
  const weightSet = new Set(options.weights);
  const dimsOf = new Map<string, number[]>();
  for (const v of graph.inputs) {
    if (weightSet.has(v.name) && v.shape?.every((d) => typeof d === 'number')) dimsOf.set(v.name, v.shape as number[]);
  }
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const initializer = new Map(graph.initializers.map((t) => [t.name, t]));

  /** The weight a Conv's kernel input is, and whether flipped by the gradient rule's chain. */
  const kernelSource = (name: string): { weight: string; flipped: boolean } | undefined => {
    if (dimsOf.has(name)) return { weight: name, flipped: false };
    const t = producer.get(name);
    if (!t || t.opType !== 'Transpose' || !isDefaultDomain(t) || !sameInts(intsOf(t, 'perm'), [1, 0, 2, 3])) return undefined;
    const inner = t.inputs[0]!;
    const direct = dimsOf.get(inner);
    if (direct) return direct[2] === 1 && direct[3] === 1 ? { weight: inner, flipped: true } : undefined;
    const back = producer.get(inner);
    if (!back || back.opType !== 'Reshape' || !isDefaultDomain(back)) return undefined;
    const mm = producer.get(back.inputs[0]!);
    if (!mm || mm.opType !== 'MatMul' || !isDefaultDomain(mm)) return undefined;
    const flat = producer.get(mm.inputs[0]!);
    if (!flat || flat.opType !== 'Reshape' || !isDefaultDomain(flat)) return undefined;
    const w = flat.inputs[0]!;
    const dims = dimsOf.get(w);
    if (!dims) return undefined;
    const k = dims[2]! * dims[3]!;
    if (!sameInts(intValues(initializer.get(flat.inputs[1]!)), [-1, k])) return undefined;
    if (!isReversal(initializer.get(mm.inputs[1]!), k)) return undefined;
    if (!sameInts(intValues(initializer.get(back.inputs[1]!)), dims)) return undefined;
    return { weight: w, flipped: true };
  };

  const blocked = new Map<string, BlockedWeight>();
  const reordered = new Map<string, string>();
  const nodes: Node[] = [];
  let convs = 0;
  for (const node of graph.nodes) {
    const source = node.opType === 'Conv' && isDefaultDomain(node) ? kernelSource(node.inputs[1] ?? '') : undefined;
    const group = node.attributes.group;
    const autoPad = node.attributes.auto_pad;
    const dims = source && dimsOf.get(source.weight);
    if (
      !source || !dims || dims.length !== 4 ||
      (group && !(group.type === 'int' && group.value === 1)) ||
      (autoPad && !(autoPad.type === 'string' && autoPad.value === 'NOTSET')) ||
      dims[0]! % block !== 0 || dims[1]! % block !== 0
    ) {
      nodes.push(node);
      continue;
    }
    const [m, c, kh, kw] = dims as [number, number, number, number];
    const key = `${source.weight}${source.flipped ? '#flipped' : '#forward'}`;
    let bw = blocked.get(key);
    if (!bw) {
      bw = { input: `heatcheck_nchwc/${source.flipped ? 'flipped' : 'forward'}/${source.weight}`, weight: source.weight, flipped: source.flipped, dims: [m, c, kh, kw] };
      blocked.set(key, bw);
    }
    const x = node.inputs[0]!;
    let xb = reordered.get(x);
    if (!xb) {
      xb = `heatcheck_nchwc/in/${x}`;
      reordered.set(x, xb);
      nodes.push({ name: `${xb}/reorder`, opType: 'ReorderInput', domain: NCHWC_DOMAIN, inputs: [x], outputs: [xb], attributes: {} });
    }
    const yb = `heatcheck_nchwc/out/${node.outputs[0]!}`;
    const outChannels = source.flipped ? c : m;
    const attributes: Record<string, Attribute> = {
      kernel_shape: ints([kh, kw]),
      strides: ints(intsOf(node, 'strides') ?? [1, 1]),
      dilations: ints(intsOf(node, 'dilations') ?? [1, 1]),
      pads: ints(intsOf(node, 'pads') ?? [0, 0, 0, 0]),
      group: { type: 'int', value: 1 },
    };
    const bias = node.inputs[2] ? [node.inputs[2]] : [];
    nodes.push({ name: `${node.name || yb}/nchwc`, opType: 'Conv', domain: NCHWC_DOMAIN, inputs: [xb, bw.input, ...bias], outputs: [yb], attributes });
    nodes.push({ name: `${yb}/reorder`, opType: 'ReorderOutput', domain: NCHWC_DOMAIN, inputs: [yb], outputs: [node.outputs[0]!], attributes: { channels: { type: 'int', value: outChannels } } });
    convs++;
  }
  if (convs === 0) return { model, weights: [], convs: 0, droppedInputs: [] };

  // The flip chains and possibly the plain weights are now unused: drop dead nodes, then what they used.
  const live = liveNodes(nodes, graph.outputs.map((o) => o.name));
  const used = new Set(live.flatMap((n) => n.inputs));
  for (const o of graph.outputs) used.add(o.name);
  const droppedInputs = graph.inputs.filter((v) => weightSet.has(v.name) && !used.has(v.name)).map((v) => v.name);
  const dropped = new Set(droppedInputs);
  const weights = [...blocked.values()];
  const inputs = [
    ...graph.inputs.filter((v) => !dropped.has(v.name)),
    ...weights.map((w) => ({ name: w.input, elemType: 1, shape: w.flipped ? [w.dims[1], w.dims[0], w.dims[2], w.dims[3]] : [...w.dims] })),
  ];
  const opsetImports = model.opsetImports.some((o) => o.domain === NCHWC_DOMAIN) ? model.opsetImports : [...model.opsetImports, { domain: NCHWC_DOMAIN, version: 1 }];
  return {
    model: {
      ...model,
      opsetImports,
      graph: { ...graph, nodes: live, inputs, initializers: graph.initializers.filter((t) => used.has(t.name)), valueInfo: graph.valueInfo.filter((v) => used.has(v.name)) },
    },
    weights,
    convs,
    droppedInputs,
  };
}

/** The nodes that contribute to `outputs`, in their original order. */
function liveNodes(nodes: readonly Node[], outputs: readonly string[]): Node[] {
  const needed = new Set(outputs);
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.outputs.some((o) => o && needed.has(o))) continue;
    keep[i] = true;
    for (const input of n.inputs) if (input) needed.add(input);
  }
  return nodes.filter((_, i) => keep[i]);
}
