/**
 * Reading and writing `.onnx` files (ONNX ModelProto protobuf) to and from the IR in ir.ts.
 * Decoding uses the onnx-proto schema on protobufjs; tensor bytes are copied once into aligned typed
 * arrays. Fields heatcheck does not interpret are carried in `extra` so a read-write round trip keeps
 * them. External tensor data (weights in side files) is refused with a clear error.
 */
import onnxProto from 'onnx-proto';
import { ModelError } from '../core/errors.js';
import {
  type Attribute,
  DataType,
  type DataTypeCode,
  type Dim,
  type Graph,
  type Model,
  type Node,
  type Tensor,
  type TensorData,
  type ValueInfo,
} from './ir.js';

const { onnx } = onnxProto;
type Proto = Record<string, unknown>;

/** Parses ONNX protobuf bytes into the IR. Throws `ModelError` for undecodable bytes or external data. */
export function decodeModel(bytes: Uint8Array, source = 'model'): Model {
  let proto: Proto;
  try {
    proto = onnx.ModelProto.decode(bytes) as unknown as Proto;
  } catch (cause) {
    throw new ModelError('onnx-decode', `${source} is not a readable ONNX file (${(cause as Error).message})`, {}, {
      hint: 'check that the file is a complete .onnx export (torch.onnx.export or tf2onnx)',
      cause,
    });
  }
  if (!proto.graph) {
    throw new ModelError('onnx-no-graph', `${source} has no graph: it is not an ONNX model`, {}, {
      hint: 'export the model with torch.onnx.export or tf2onnx and pass the .onnx file',
    });
  }
  const extra = pickExtra(proto, ['functions', 'trainingInfo']);
  const model: Model = {
    irVersion: num(proto.irVersion),
    opsetImports: ((proto.opsetImport as Proto[]) ?? []).map((o) => ({ domain: str(o.domain), version: num(o.version) })),
    producerName: str(proto.producerName),
    producerVersion: str(proto.producerVersion),
    domain: str(proto.domain),
    modelVersion: num(proto.modelVersion),
    docString: str(proto.docString),
    metadata: ((proto.metadataProps as Proto[]) ?? []).map((m) => ({ key: str(m.key), value: str(m.value) })),
    graph: decodeGraph(proto.graph as Proto, source),
  };
  if (extra) model.extra = extra;
  return model;
}

/** Serialises the IR to ONNX protobuf bytes. */
export function encodeModel(model: Model): Uint8Array {
  const proto: Proto = {
    irVersion: model.irVersion,
    opsetImport: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: model.modelVersion,
    docString: model.docString,
    metadataProps: model.metadata.map((m) => ({ key: m.key, value: m.value })),
    graph: encodeGraph(model.graph),
    ...(model.extra ?? {}),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(proto)).finish();
}

function decodeGraph(g: Proto, source: string): Graph {
  const graph: Graph = {
    name: str(g.name),
    nodes: ((g.node as Proto[]) ?? []).map(decodeNode(source)),
    initializers: ((g.initializer as Proto[]) ?? []).map((t) => decodeTensor(t, source)),
    inputs: ((g.input as Proto[]) ?? []).map(decodeValueInfo),
    outputs: ((g.output as Proto[]) ?? []).map(decodeValueInfo),
    valueInfo: ((g.valueInfo as Proto[]) ?? []).map(decodeValueInfo),
  };
  if (g.docString) graph.docString = str(g.docString);
  const extra = pickExtra(g, ['sparseInitializer', 'quantizationAnnotation']);
  if (extra) graph.extra = extra;
  return graph;
}

function encodeGraph(graph: Graph): Proto {
  return {
    name: graph.name,
    node: graph.nodes.map(encodeNode),
    initializer: graph.initializers.map(encodeTensor),
    input: graph.inputs.map(encodeValueInfo),
    output: graph.outputs.map(encodeValueInfo),
    valueInfo: graph.valueInfo.map(encodeValueInfo),
    ...(graph.docString ? { docString: graph.docString } : {}),
    ...(graph.extra ?? {}),
  };
}

const decodeNode =
  (source: string) =>
  (n: Proto): Node => {
    const attributes: Record<string, Attribute> = {};
    for (const a of (n.attribute as Proto[]) ?? []) attributes[str(a.name)] = decodeAttribute(a, source);
    const node: Node = {
      name: str(n.name),
      opType: str(n.opType),
      domain: str(n.domain),
      inputs: ((n.input as string[]) ?? []).slice(),
      outputs: ((n.output as string[]) ?? []).slice(),
      attributes,
    };
    if (n.docString) node.docString = str(n.docString);
    return node;
  };

function encodeNode(node: Node): Proto {
  return {
    name: node.name,
    opType: node.opType,
    domain: node.domain,
    input: node.inputs,
    output: node.outputs,
    attribute: Object.entries(node.attributes).map(([name, a]) => encodeAttribute(name, a)),
    ...(node.docString ? { docString: node.docString } : {}),
  };
}

// AttributeProto.AttributeType numbering from onnx.proto.
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 };

function decodeAttribute(a: Proto, source: string): Attribute {
  const utf8 = (b: unknown) => Buffer.from(b as Uint8Array).toString('utf8');
  if (a.refAttrName) return { type: 'opaque', value: a };
  switch (num(a.type)) {
    case ATTR.FLOAT:
      return { type: 'float', value: Number(a.f ?? 0) };
    case ATTR.INT:
      return { type: 'int', value: num(a.i) };
    case ATTR.STRING:
      return { type: 'string', value: utf8(a.s ?? new Uint8Array()) };
    case ATTR.TENSOR:
      return { type: 'tensor', value: decodeTensor(a.t as Proto, source) };
    case ATTR.GRAPH:
      return { type: 'graph', value: decodeGraph(a.g as Proto, source) };
    case ATTR.FLOATS:
      return { type: 'floats', value: ((a.floats as number[]) ?? []).map(Number) };
    case ATTR.INTS:
      return { type: 'ints', value: ((a.ints as unknown[]) ?? []).map(num) };
    case ATTR.STRINGS:
      return { type: 'strings', value: ((a.strings as Uint8Array[]) ?? []).map(utf8) };
    case ATTR.TENSORS:
      return { type: 'tensors', value: ((a.tensors as Proto[]) ?? []).map((t) => decodeTensor(t, source)) };
    case ATTR.GRAPHS:
      return { type: 'graphs', value: ((a.graphs as Proto[]) ?? []).map((g) => decodeGraph(g, source)) };
    default:
      return { type: 'opaque', value: a };
  }
}

function encodeAttribute(name: string, a: Attribute): Proto {
  switch (a.type) {
    case 'float':
      return { name, type: ATTR.FLOAT, f: a.value };
    case 'int':
      return { name, type: ATTR.INT, i: a.value };
    case 'string':
      return { name, type: ATTR.STRING, s: Buffer.from(a.value, 'utf8') };
    case 'tensor':
      return { name, type: ATTR.TENSOR, t: encodeTensor(a.value) };
    case 'graph':
      return { name, type: ATTR.GRAPH, g: encodeGraph(a.value) };
    case 'floats':
      return { name, type: ATTR.FLOATS, floats: a.value };
    case 'ints':
      return { name, type: ATTR.INTS, ints: a.value };
    case 'strings':
      return { name, type: ATTR.STRINGS, strings: a.value.map((s) => Buffer.from(s, 'utf8')) };
    case 'tensors':
      return { name, type: ATTR.TENSORS, tensors: a.value.map(encodeTensor) };
    case 'graphs':
      return { name, type: ATTR.GRAPHS, graphs: a.value.map(encodeGraph) };
    case 'opaque':
      return { ...(a.value as Proto), name };
  }
}

function decodeValueInfo(v: Proto): ValueInfo {
  const type = v.type as Proto | undefined;
  const tensorType = type?.tensorType as Proto | undefined;
  const info: ValueInfo = { name: str(v.name), elemType: undefined, shape: undefined };
  if (tensorType) {
    info.elemType = num(tensorType.elemType);
    const shape = tensorType.shape as Proto | undefined;
    if (shape) {
      info.shape = ((shape.dim as Proto[]) ?? []).map((d): Dim => {
        if (d.dimValue !== undefined && d.dimValue !== null) return num(d.dimValue);
        if (d.dimParam) return str(d.dimParam);
        return null;
      });
    }
  } else if (type) {
    info.rawType = type;
  }
  if (v.docString) info.docString = str(v.docString);
  return info;
}

function encodeValueInfo(v: ValueInfo): Proto {
  let type: unknown;
  if (v.rawType !== undefined) type = v.rawType;
  else if (v.elemType !== undefined) {
    const tensorType: Proto = { elemType: v.elemType };
    if (v.shape) {
      tensorType.shape = {
        dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
      };
    }
    type = { tensorType };
  }
  return { name: v.name, ...(type ? { type } : {}), ...(v.docString ? { docString: v.docString } : {}) };
}

/** Decodes a TensorProto into an IR tensor with an aligned typed array. */
export function decodeTensor(t: Proto, source = 'model'): Tensor {
  const name = str(t.name);
  const dataType = num(t.dataType) as DataTypeCode;
  const dims = ((t.dims as unknown[]) ?? []).map(num);
  if (num(t.dataLocation) === 1 || ((t.externalData as unknown[]) ?? []).length > 0) {
    throw new ModelError('onnx-external-data', `${source}: tensor "${name}" keeps its data in an external file, which heatcheck does not read yet`, {}, {
      hint: 'save the model with all weights inside the .onnx file (onnx.save_model(m, path, save_as_external_data=False); models under 2 GB fit)',
    });
  }
  const raw = t.rawData as Uint8Array | undefined;
  let data: TensorData;
  if (raw && raw.length > 0) data = fromRaw(dataType, raw, name, source);
  else data = fromFields(dataType, t, name, source);
  const tensor: Tensor = { name, dataType, dims, data };
  if (t.docString) tensor.docString = str(t.docString);
  return tensor;
}

/** Encodes an IR tensor as a TensorProto with raw little-endian bytes (strings use string_data). */
export function encodeTensor(t: Tensor): Proto {
  const base: Proto = { name: t.name, dataType: t.dataType, dims: t.dims, ...(t.docString ? { docString: t.docString } : {}) };
  if (Array.isArray(t.data)) return { ...base, stringData: t.data.map((s) => Buffer.from(s, 'utf8')) };
  const view = t.data as Exclude<TensorData, string[]>;
  return { ...base, rawData: new Uint8Array(view.buffer, view.byteOffset, view.byteLength) };
}

type NumericCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** The typed-array class that holds each ONNX element type. */
export function typedArrayFor(dataType: DataTypeCode): NumericCtor | undefined {
  switch (dataType) {
    case DataType.FLOAT:
      return Float32Array;
    case DataType.DOUBLE:
      return Float64Array;
    case DataType.INT8:
      return Int8Array;
    case DataType.UINT8:
    case DataType.BOOL:
      return Uint8Array;
    case DataType.INT16:
      return Int16Array;
    case DataType.UINT16:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      return Uint16Array;
    case DataType.INT32:
      return Int32Array;
    case DataType.UINT32:
      return Uint32Array;
    case DataType.INT64:
      return BigInt64Array;
    case DataType.UINT64:
      return BigUint64Array;
    default:
      return undefined;
  }
}

function fromRaw(dataType: DataTypeCode, raw: Uint8Array, name: string, source: string): TensorData {
  const Ctor = typedArrayFor(dataType);
  if (!Ctor) throw unsupportedType(dataType, name, source);
  if (raw.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) {
    throw new ModelError('onnx-tensor-size', `${source}: tensor "${name}" has ${raw.byteLength} raw bytes, not a multiple of ${Ctor.BYTES_PER_ELEMENT}`);
  }
  // Copy into a fresh, aligned buffer: protobuf slices are unaligned views into the file.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return new Ctor(copy.buffer, 0, raw.byteLength / Ctor.BYTES_PER_ELEMENT);
}

function fromFields(dataType: DataTypeCode, t: Proto, name: string, source: string): TensorData {
  switch (dataType) {
    case DataType.FLOAT:
      return Float32Array.from((t.floatData as number[]) ?? []);
    case DataType.DOUBLE:
      return Float64Array.from((t.doubleData as number[]) ?? []);
    case DataType.INT64:
      return BigInt64Array.from(((t.int64Data as unknown[]) ?? []).map(big));
    case DataType.UINT64:
      return BigUint64Array.from(((t.uint64Data as unknown[]) ?? []).map((v) => BigInt.asUintN(64, big(v))));
    case DataType.UINT32:
      return Uint32Array.from(((t.uint64Data as unknown[]) ?? []).map(num));
    case DataType.STRING:
      return ((t.stringData as Uint8Array[]) ?? []).map((b) => Buffer.from(b).toString('utf8'));
    case DataType.INT32:
    case DataType.INT16:
    case DataType.INT8:
    case DataType.UINT16:
    case DataType.UINT8:
    case DataType.BOOL:
    case DataType.FLOAT16:
    case DataType.BFLOAT16: {
      const Ctor = typedArrayFor(dataType)!;
      return (Ctor as Int32ArrayConstructor).from(((t.int32Data as unknown[]) ?? []).map(num));
    }
    default:
      throw unsupportedType(dataType, name, source);
  }
}

function unsupportedType(dataType: DataTypeCode, name: string, source: string): ModelError {
  return new ModelError('onnx-dtype', `${source}: tensor "${name}" has element type ${dataType}, which heatcheck cannot hold`, {}, {
    hint: 'supported: float, double, (u)int8/16/32/64, bool, float16, bfloat16, string',
  });
}

function pickExtra(proto: Proto, keys: string[]): Record<string, unknown> | undefined {
  const extra: Record<string, unknown> = {};
  for (const k of keys) {
    const v = proto[k];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) extra[k] = v;
  }
  return Object.keys(extra).length ? extra : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Converts protobufjs int64 values (number, Long or string) to a JS number. */
function num(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v);
}

function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') return BigInt(v);
  if (v && typeof v === 'object' && 'toString' in v) return BigInt((v as { toString(): string }).toString());
  return 0n;
}
