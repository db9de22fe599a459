/**
 * Static shape and dtype inference for the ops heatcheck differentiates. Spatial sizes are static per
 * image size; the batch dim stays symbolic (e.g. "batch") and flows through shape arithmetic, because
 * small int64 tensors (Shape -> Gather -> Concat -> Reshape, as PyTorch exports flatten) are tracked by
 * value with symbolic entries. Ops it does not know get no entry; the engine can instead measure shapes
 * with one forward run (engine/shape-probe.ts), which is exact for any op.
 */
import { DataType, type DataTypeCode, type Dim, type Model, type Node, type Tensor } from './ir.js';
import { constantNodeValue } from './autodiff/constant.js';
import { effectiveKernel, windowGeometry, windowOutputSize } from './autodiff/conv-geometry.js';

/** Shape and element type of one tensor. */
export interface ShapeEntry {
  dims: Dim[];
  dtype: DataTypeCode;
}

/** Shapes of forward tensors by name. */
export type ShapeTable = ReadonlyMap<string, ShapeEntry>;

const SAME_SHAPE_OPS = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'Identity', 'Dropout', 'Softmax', 'LogSoftmax', 'Sqrt', 'Exp', 'Log',
  'Neg', 'Abs', 'Reciprocal', 'Sign', 'Erf', 'Floor', 'Ceil', 'Round', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu',
  'Softplus', 'Softsign', 'BatchNormalization', 'InstanceNormalization', 'LRN', 'LayerNormalization', 'Gelu', 'Mish',
  'Celu', 'ThresholdedRelu', 'Hardmax', 'Sin', 'Cos', 'Not', 'IsNaN', 'IsInf', 'CumSum',
]);
const BROADCAST_OPS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'Where', 'Mod', 'BitShift']);
const BOOL_OPS = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);
const REDUCE_OPS = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSumExp', 'ArgMax', 'ArgMin']);
const MAX_TRACKED = 16;

/**
 * Infers shapes and dtypes of every tensor it can. `inputDims` overrides graph input dims (e.g. to fix
 * the image size of a model exported with dynamic spatial dims).
 */
export function inferShapes(model: Model, inputDims: Readonly<Record<string, Dim[]>> = {}): Map<string, ShapeEntry> {
  const g = model.graph;
  const table = new Map<string, ShapeEntry>();
  const values = new Map<string, Dim[]>();
  const constants = new Map<string, Tensor>();
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  const track = (t: Tensor) => {
    table.set(t.name, { dims: [...t.dims], dtype: t.dataType });
    constants.set(t.name, t);
    if ((t.data instanceof BigInt64Array || t.data instanceof Int32Array) && t.data.length <= MAX_TRACKED) values.set(t.name, Array.from(t.data, Number));
  };
  for (const t of g.initializers) track(t);
  for (const v of g.inputs) {
    const dims = inputDims[v.name] ?? v.shape;
    if (dims && !constants.has(v.name)) table.set(v.name, { dims: [...dims], dtype: v.elemType ?? DataType.FLOAT });
  }
  const ints = (name: string | undefined): number[] | undefined => {
    if (!name) return undefined;
    const v = values.get(name);
    return v && v.every((d) => typeof d === 'number') ? (v as number[]) : undefined;
  };
  const floatsOf = (name: string | undefined): number[] | undefined => {
    const t = name ? constants.get(name) : undefined;
    return t && (t.data instanceof Float32Array || t.data instanceof Float64Array) ? Array.from(t.data) : undefined;
  };
  for (const node of g.nodes) {
    if (node.opType === 'Constant') {
      const t = constantNodeValue(node);
      if (t) track(t);
      continue;
    }
    const inputs = node.inputs.map((i) => (i ? table.get(i) : undefined));
    let out: ShapeEntry[] | undefined;
    try {
      out = inferNode(node, inputs, { ints, floats: floatsOf, values, opset });
    } catch {
      out = undefined; // inconsistent or unknown inputs: leave the outputs unknown
    }
    if (!out) continue;
    out.forEach((entry, k) => {
      const name = node.outputs[k];
      if (name && entry) table.set(name, entry);
    });
    const v = inferValue(node, values, table);
    if (v && node.outputs[0]) values.set(node.outputs[0], v);
  }
  // Fall back to declared value infos for anything still unknown.
  for (const v of [...g.valueInfo, ...g.outputs]) {
    if (!table.has(v.name) && v.shape && v.elemType !== undefined) table.set(v.name, { dims: [...v.shape], dtype: v.elemType });
  }
  return table;
}

interface Known {
  ints(name: string | undefined): number[] | undefined;
  floats(name: string | undefined): number[] | undefined;
  values: Map<string, Dim[]>;
  opset: number;
}

function attrInt(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : fallback;
}

function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value : undefined;
}

function mulDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a === 1) return b;
  if (b === 1) return a;
  return null;
}

function broadcast(shapes: Dim[][]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const v = s[i - (rank - s.length)];
      if (v === undefined || v === 1) continue;
      if (d === 1) d = v;
      else if (d !== v) d = typeof d === 'number' && typeof v === 'number' ? Math.max(d, v) : typeof d === 'string' ? d : v;
    }
    out.push(d);
  }
  return out;
}

const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

function inferNode(node: Node, inputs: (ShapeEntry | undefined)[], k: Known): ShapeEntry[] | undefined {
  const op = node.opType;
  const x = inputs[0];
  if (SAME_SHAPE_OPS.has(op)) return x && [{ dims: [...x.dims], dtype: op === 'Not' || op === 'IsNaN' || op === 'IsInf' ? DataType.BOOL : x.dtype }];
  if (BROADCAST_OPS.has(op) || BOOL_OPS.has(op)) {
    if (inputs.some((i, n) => !i && node.inputs[n])) return undefined;
    const present = inputs.filter((i): i is ShapeEntry => !!i);
    const dtype = BOOL_OPS.has(op) ? DataType.BOOL : (op === 'Where' ? present[1]?.dtype : present[0]?.dtype) ?? DataType.FLOAT;
    return [{ dims: broadcast(present.map((p) => p.dims)), dtype }];
  }
  if (!x) {
    if (op === 'ConstantOfShape' || op === 'Range') {
      /* handled below */
    } else return undefined;
  }
  switch (op) {
    case 'Cast':
      return [{ dims: [...x!.dims], dtype: attrInt(node, 'to', DataType.FLOAT) }];
    case 'Conv':
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool': {
      const w = inputs[1];
      const spatial = x!.dims.slice(2) as number[];
      const kernel = op === 'Conv' ? (w?.dims.slice(2) as number[] | undefined) : undefined;
      const geo = windowGeometry(node, spatial, kernel);
      const ceil = attrInt(node, 'ceil_mode', 0) === 1;
      const outSpatial = spatial.map((s, d) => windowOutputSize(geo, d, s, ceil));
      const channels = op === 'Conv' ? w!.dims[0]! : x!.dims[1]!;
      const y = { dims: [x!.dims[0]!, channels, ...outSpatial], dtype: x!.dtype };
      return op === 'MaxPool' ? [y, { dims: [...y.dims], dtype: DataType.INT64 }] : [y];
    }
    case 'ConvTranspose': {
      const w = inputs[1]!;
      const spatial = x!.dims.slice(2) as number[];
      const geo = windowGeometry(node, spatial, w.dims.slice(2) as number[]);
      const group = attrInt(node, 'group', 1);
      const outputShape = attrInts(node, 'output_shape');
      const outPad = attrInts(node, 'output_padding') ?? spatial.map(() => 0);
      const outSpatial = outputShape ?? spatial.map((s, d) => geo.strides[d]! * (s - 1) + outPad[d]! + effectiveKernel(geo, d) - geo.padsBegin[d]! - geo.padsEnd[d]!);
      return [{ dims: [x!.dims[0]!, mulDims(w.dims[1]!, group), ...outSpatial], dtype: x!.dtype }];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      return [{ dims: [x!.dims[0]!, x!.dims[1]!, ...x!.dims.slice(2).map(() => 1)], dtype: x!.dtype }];
    case 'Gemm': {
      const b = inputs[1]!;
      const m = attrInt(node, 'transA', 0) ? x!.dims[1]! : x!.dims[0]!;
      const n = attrInt(node, 'transB', 0) ? b.dims[0]! : b.dims[1]!;
      return [{ dims: [m, n], dtype: x!.dtype }];
    }
    case 'MatMul': {
      const b = inputs[1]!;
      const a = x!.dims.length === 1 ? [1, x!.dims[0]!] : x!.dims;
      const bd = b.dims.length === 1 ? [b.dims[0]!, 1] : b.dims;
      const batch = broadcast([a.slice(0, -2), bd.slice(0, -2)]);
      const dims = [...batch, a[a.length - 2]!, bd[bd.length - 1]!];
      if (x!.dims.length === 1) dims.splice(dims.length - 2, 1);
      if (b.dims.length === 1) dims.pop();
      return [{ dims, dtype: x!.dtype }];
    }
    case 'Flatten': {
      const axis = norm(attrInt(node, 'axis', 1), x!.dims.length);
      const first = x!.dims.slice(0, axis).reduce<Dim>(mulDims, 1);
      const second = x!.dims.slice(axis).reduce<Dim>(mulDims, 1);
      return [{ dims: [first, second], dtype: x!.dtype }];
    }
    case 'Reshape': {
      const target = k.values.get(node.inputs[1]!);
      if (!target) return undefined;
      const allowZero = attrInt(node, 'allowzero', 0) === 1;
      const dims: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? x!.dims[i]! : d));
      const minus = dims.indexOf(-1);
      if (minus >= 0) {
        const inNumeric = x!.dims.reduce<number>((a, d) => (typeof d === 'number' ? a * d : a), 1);
        const inSymbols = x!.dims.filter((d) => typeof d !== 'number');
        const outNumeric = dims.reduce<number>((a, d, i) => (i !== minus && typeof d === 'number' ? a * d : a), 1);
        const outSymbols = dims.filter((d, i) => i !== minus && typeof d !== 'number');
        const sameSymbols = inSymbols.length === outSymbols.length && inSymbols.every((s, i) => s === outSymbols[i] && s !== null);
        if (sameSymbols) dims[minus] = inNumeric / outNumeric;
        else if (outSymbols.length === 0 && inSymbols.length === 1 && inNumeric === outNumeric) dims[minus] = inSymbols[0]!;
        else dims[minus] = null;
      }
      return [{ dims, dtype: x!.dtype }];
    }
    case 'Transpose': {
      const perm = attrInts(node, 'perm') ?? x!.dims.map((_, i) => x!.dims.length - 1 - i);
      return [{ dims: perm.map((p) => x!.dims[p]!), dtype: x!.dtype }];
    }
    case 'Squeeze': {
      const axesRaw = attrInts(node, 'axes') ?? k.ints(node.inputs[1]);
      const axes = axesRaw?.map((a) => norm(a, x!.dims.length));
      return [{ dims: x!.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)), dtype: x!.dtype }];
    }
    case 'Unsqueeze': {
      const axesRaw = attrInts(node, 'axes') ?? k.ints(node.inputs[1]);
      if (!axesRaw) return undefined;
      const rank = x!.dims.length + axesRaw.length;
      const axes = axesRaw.map((a) => norm(a, rank));
      const dims: Dim[] = [];
      let src = 0;
      for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : x!.dims[src++]!);
      return [{ dims, dtype: x!.dtype }];
    }
    case 'Concat': {
      if (inputs.some((i) => !i)) return undefined;
      const axis = norm(attrInt(node, 'axis', 0), x!.dims.length);
      const dims = [...x!.dims];
      dims[axis] = inputs.reduce<Dim>((acc, i) => {
        const d = i!.dims[axis]!;
        return typeof acc === 'number' && typeof d === 'number' ? acc + d : null;
      }, 0);
      return [{ dims, dtype: x!.dtype }];
    }
    case 'Split': {
      const axis = norm(attrInt(node, 'axis', 0), x!.dims.length);
      const count = node.outputs.length;
      const total = x!.dims[axis]!;
      let sizes = attrInts(node, 'split') ?? k.ints(node.inputs[1]);
      if (!sizes) {
        if (typeof total !== 'number') return undefined;
        const each = Math.ceil(total / count);
        sizes = Array.from({ length: count }, (_, i) => Math.min(each, total - each * i));
      }
      return sizes.map((s) => {
        const dims = [...x!.dims];
        dims[axis] = s;
        return { dims, dtype: x!.dtype };
      });
    }
    case 'Slice': {
      const rank = x!.dims.length;
      const starts = attrInts(node, 'starts') ?? k.ints(node.inputs[1]);
      const ends = attrInts(node, 'ends') ?? k.ints(node.inputs[2]);
      if (!starts || !ends) return undefined;
      const axes = (attrInts(node, 'axes') ?? k.ints(node.inputs[3]) ?? starts.map((_, i) => i)).map((a) => norm(a, rank));
      const steps = k.ints(node.inputs[4]) ?? starts.map(() => 1);
      const dims = [...x!.dims];
      axes.forEach((a, i) => {
        const d = dims[a];
        if (typeof d !== 'number') {
          dims[a] = null;
          return;
        }
        dims[a] = sliceLength(d, starts[i]!, ends[i]!, steps[i]!);
      });
      return [{ dims, dtype: x!.dtype }];
    }
    case 'Pad': {
      const pads = attrInts(node, 'pads') ?? k.ints(node.inputs[1]);
      if (!pads) return undefined;
      const rank = x!.dims.length;
      const axes = k.ints(node.inputs[3])?.map((a) => norm(a, rank)) ?? x!.dims.map((_, i) => i);
      const dims = [...x!.dims];
      axes.forEach((a, i) => {
        const d = dims[a];
        dims[a] = typeof d === 'number' ? d + pads[i]! + pads[i + axes.length]! : d!;
      });
      return [{ dims, dtype: x!.dtype }];
    }
    case 'Resize':
    case 'Upsample': {
      const sizes = k.ints(node.inputs[3]);
      if (sizes && sizes.length) return [{ dims: [...sizes], dtype: x!.dtype }];
      const scales = k.floats(op === 'Upsample' ? node.inputs[1] : node.inputs[2]) ?? attrInts(node, 'scales');
      if (!scales) return undefined;
      return [{ dims: x!.dims.map((d, i) => (typeof d === 'number' ? Math.floor(d * scales[i]!) : scales[i] === 1 ? d : null)), dtype: x!.dtype }];
    }
    case 'Shape': {
      const rank = x!.dims.length;
      const start = norm(attrInt(node, 'start', 0), rank);
      const end = node.attributes.end ? norm(attrInt(node, 'end', rank), rank) : rank;
      return [{ dims: [Math.max(0, Math.min(end, rank) - start)], dtype: DataType.INT64 }];
    }
    case 'Size':
      return [{ dims: [], dtype: DataType.INT64 }];
    case 'ConstantOfShape': {
      const dims = k.values.get(node.inputs[0]!);
      const value = node.attributes.value;
      const dtype = value?.type === 'tensor' ? value.value.dataType : DataType.FLOAT;
      return dims ? [{ dims: [...dims], dtype }] : undefined;
    }
    case 'Expand': {
      const shape = k.values.get(node.inputs[1]!);
      return shape ? [{ dims: broadcast([x!.dims, shape]), dtype: x!.dtype }] : undefined;
    }
    case 'Tile': {
      const reps = k.ints(node.inputs[1]);
      return reps ? [{ dims: x!.dims.map((d, i) => mulDims(d, reps[i]!)), dtype: x!.dtype }] : undefined;
    }
    case 'Gather': {
      const idx = inputs[1];
      if (!idx) return undefined;
      const axis = norm(attrInt(node, 'axis', 0), x!.dims.length);
      return [{ dims: [...x!.dims.slice(0, axis), ...idx.dims, ...x!.dims.slice(axis + 1)], dtype: x!.dtype }];
    }
    case 'Range':
      return [{ dims: [null], dtype: inputs[0]?.dtype ?? DataType.INT64 }];
    default:
      if (REDUCE_OPS.has(op)) {
        const rank = x!.dims.length;
        const isArg = op === 'ArgMax' || op === 'ArgMin';
        const axesAttr = isArg ? [attrInt(node, 'axis', 0)] : attrInts(node, 'axes') ?? k.ints(node.inputs[1]);
        const keep = attrInt(node, 'keepdims', 1) === 1;
        const noop = attrInt(node, 'noop_with_empty_axes', 0) === 1;
        if (!axesAttr && node.inputs[1]) return undefined;
        const axes = (axesAttr && axesAttr.length ? axesAttr : noop ? [] : x!.dims.map((_, i) => i)).map((a) => norm(a, rank));
        const dims = keep ? x!.dims.map((d, i) => (axes.includes(i) ? 1 : d)) : x!.dims.filter((_, i) => !axes.includes(i));
        return [{ dims, dtype: isArg ? DataType.INT64 : x!.dtype }];
      }
      return undefined;
  }
}

function sliceLength(dim: number, start: number, end: number, step: number): number {
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = clamp(s, -1, dim - 1);
  e = clamp(e, -1, dim - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

/** Values of small int tensors produced by shape arithmetic (entries may be symbolic). */
function inferValue(node: Node, values: Map<string, Dim[]>, table: Map<string, ShapeEntry>): Dim[] | undefined {
  const v = (i: number) => (node.inputs[i] ? values.get(node.inputs[i]!) : undefined);
  switch (node.opType) {
    case 'Shape': {
      const dims = table.get(node.inputs[0]!)?.dims;
      if (!dims) return undefined;
      const rank = dims.length;
      const start = norm(attrInt(node, 'start', 0), rank);
      const end = node.attributes.end ? norm(attrInt(node, 'end', rank), rank) : rank;
      return dims.slice(start, end);
    }
    case 'Size': {
      const dims = table.get(node.inputs[0]!)?.dims;
      return dims ? [dims.reduce<Dim>(mulDims, 1)] : undefined;
    }
    case 'Cast':
    case 'Identity':
    case 'Squeeze':
    case 'Unsqueeze':
      return v(0);
    case 'Concat': {
      const parts = node.inputs.map((_, i) => v(i));
      return parts.every((p) => p) ? parts.flatMap((p) => p!) : undefined;
    }
    case 'Gather': {
      const data = v(0);
      const idx = v(1);
      if (!data || !idx || idx.some((i) => typeof i !== 'number')) return undefined;
      return (idx as number[]).map((i) => data[i < 0 ? i + data.length : i]!);
    }
    case 'Slice': {
      const data = v(0);
      const starts = v(1);
      const ends = v(2);
      if (!data || !starts || !ends || typeof starts[0] !== 'number' || typeof ends[0] !== 'number') return undefined;
      const step = (v(4)?.[0] as number | undefined) ?? 1;
      const out: Dim[] = [];
      const n = data.length;
      let s = starts[0] < 0 ? starts[0] + n : Math.min(starts[0], n);
      const e = ends[0] < 0 ? ends[0] + n : Math.min(ends[0], n);
      s = Math.max(s, 0);
      if (step > 0) for (let i = s; i < e; i += step) out.push(data[i]!);
      else return undefined;
      return out;
    }
    case 'Mul':
    case 'Add':
    case 'Sub':
    case 'Div': {
      const a = v(0);
      const b = v(1);
      if (!a || !b) return undefined;
      const n = Math.max(a.length, b.length);
      const out: Dim[] = [];
      for (let i = 0; i < n; i++) {
        const p = a.length === 1 ? a[0]! : a[i]!;
        const q = b.length === 1 ? b[0]! : b[i]!;
        if (typeof p !== 'number' || typeof q !== 'number') {
          out.push(node.opType === 'Mul' ? mulDims(p, q) : (node.opType === 'Div' && q === 1) || ((node.opType === 'Add' || node.opType === 'Sub') && q === 0) ? p : null);
          continue;
        }
        out.push(node.opType === 'Mul' ? p * q : node.opType === 'Add' ? p + q : node.opType === 'Sub' ? p - q : Math.trunc(p / q));
      }
      return out;
    }
    default:
      return undefined;
  }
}
