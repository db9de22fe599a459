/**
 * heatcheck's in-memory ONNX IR: plain objects that mirror ONNX's ModelProto closely enough to
 * round-trip losslessly (see onnx-io.ts), with typed-array tensor data for fast numeric work.
 * Everything graph/ does (autodiff, builder, inspection) reads and writes these objects.
 */

/** ONNX TensorProto.DataType values. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType] | number;

/** Tensor values by element type. FLOAT16/BFLOAT16 keep their raw 16-bit patterns in a Uint16Array. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** An initializer or constant: name, element type, dims and values in C order. */
export interface Tensor {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  data: TensorData;
  docString?: string;
}

/** ONNX AttributeProto, tagged by type. */
export type Attribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: Graph[] }
  /** Attribute kinds heatcheck does not interpret (sparse tensors, type protos, refs): kept verbatim. */
  | { type: 'opaque'; value: unknown };

export interface Node {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
  docString?: string;
}

/** A dimension: a number, a symbolic name (e.g. "batch"), or null when unknown. */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  /** Element type of a tensor value; undefined for non-tensor types (kept in `rawType`). */
  elemType: DataTypeCode | undefined;
  /** Undefined when the shape is not given at all (rank unknown). */
  shape: Dim[] | undefined;
  docString?: string;
  /** The original TypeProto for non-tensor types, kept verbatim for a lossless write. */
  rawType?: unknown;
}

export interface Graph {
  name: string;
  nodes: Node[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  docString?: string;
  /** Protobuf fields heatcheck does not interpret (sparse initializers, quantization annotations). */
  extra?: Record<string, unknown>;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadata: { key: string; value: string }[];
  graph: Graph;
  /** Protobuf fields heatcheck does not interpret (functions, training info): kept verbatim. */
  extra?: Record<string, unknown>;
}

/** The default-domain opset version of a model (ONNX's "" or "ai.onnx" domain). */
export function defaultOpset(model: Model): number {
  const entry = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return entry ? entry.version : 0;
}

/** Number of elements for the given dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}
