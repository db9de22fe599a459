/**
 * Static geometry of convolution and pooling nodes (kernel, strides, dilations, explicit pads after
 * resolving auto_pad), shared by the Conv, MaxPool and AveragePool gradient rules and shape inference.
 */
import type { Node } from '../ir.js';

/** Resolved per-spatial-dim geometry of a Conv or pooling node. */
export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
}

function intsAttr(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value : undefined;
}

/** Effective (dilated) kernel extent. */
export function effectiveKernel(g: WindowGeometry, d: number): number {
  return g.dilations[d]! * (g.kernel[d]! - 1) + 1;
}

/**
 * Resolves a node's window geometry for the given static spatial input sizes. `kernel` defaults to the
 * attribute; Conv passes the weight's spatial dims. Output size follows ONNX (floor, or ceil_mode).
 */
export function windowGeometry(node: Node, inputSpatial: readonly number[], kernelFromWeight?: readonly number[]): WindowGeometry {
  const n = inputSpatial.length;
  const kernel = intsAttr(node, 'kernel_shape') ?? [...(kernelFromWeight ?? [])];
  const strides = intsAttr(node, 'strides') ?? new Array<number>(n).fill(1);
  const dilations = intsAttr(node, 'dilations') ?? new Array<number>(n).fill(1);
  const autoPadAttr = node.attributes.auto_pad;
  const autoPad = autoPadAttr?.type === 'string' ? autoPadAttr.value : 'NOTSET';
  const pads = intsAttr(node, 'pads') ?? new Array<number>(2 * n).fill(0);
  let padsBegin = pads.slice(0, n);
  let padsEnd = pads.slice(n, 2 * n);
  const g: WindowGeometry = { kernel, strides, dilations, padsBegin, padsEnd };
  if (autoPad === 'VALID') {
    g.padsBegin = new Array<number>(n).fill(0);
    g.padsEnd = new Array<number>(n).fill(0);
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    padsBegin = [];
    padsEnd = [];
    for (let d = 0; d < n; d++) {
      const out = Math.ceil(inputSpatial[d]! / strides[d]!);
      const total = Math.max(0, (out - 1) * strides[d]! + effectiveKernel(g, d) - inputSpatial[d]!);
      const small = Math.floor(total / 2);
      padsBegin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      padsEnd.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
    g.padsBegin = padsBegin;
    g.padsEnd = padsEnd;
  }
  return g;
}

/** Output spatial size along dim `d` (ceil_mode drops a last window that would start in the end padding). */
export function windowOutputSize(g: WindowGeometry, d: number, input: number, ceilMode = false): number {
  const span = input + g.padsBegin[d]! + g.padsEnd[d]! - effectiveKernel(g, d);
  if (!ceilMode) return Math.floor(span / g.strides[d]!) + 1;
  let out = Math.ceil(span / g.strides[d]!) + 1;
  if ((out - 1) * g.strides[d]! >= input + g.padsBegin[d]!) out -= 1;
  return out;
}
