/** Reading the value of ONNX Constant nodes (shared by autodiff and shape inference). */
import { DataType, type Node, type Tensor } from '../ir.js';

/** The tensor a Constant node produces, when it is given as a tensor or numbers. */
export function constantNodeValue(n: Node): Tensor | undefined {
  const name = n.outputs[0] ?? '';
  const a = n.attributes;
  if (a.value?.type === 'tensor') return { ...a.value.value, name };
  if (a.value_float?.type === 'float') return { name, dataType: DataType.FLOAT, dims: [], data: Float32Array.of(a.value_float.value) };
  if (a.value_floats?.type === 'floats') return { name, dataType: DataType.FLOAT, dims: [a.value_floats.value.length], data: Float32Array.from(a.value_floats.value) };
  if (a.value_int?.type === 'int') return { name, dataType: DataType.INT64, dims: [], data: BigInt64Array.of(BigInt(a.value_int.value)) };
  if (a.value_ints?.type === 'ints') return { name, dataType: DataType.INT64, dims: [a.value_ints.value.length], data: BigInt64Array.from(a.value_ints.value.map(BigInt)) };
  return undefined;
}
