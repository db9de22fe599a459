/**
 * A tiny node emitter for the loss-gradient subgraph that is spliced into a training graph after
 * differentiation: it computes dLoss/dOutput from the output and the target inputs inside the same
 * onnxruntime run, so a training step is one forward + backward pass (no second forward to get the seed).
 */
import { type Attribute, DataType, type Node, type Tensor } from '../../graph/ir.js';

/** Collects nodes and constants with names unique under a prefix. */
export class SeedEmitter {
  readonly nodes: Node[] = [];
  readonly constants: Tensor[] = [];
  private counter = 0;

  constructor(private readonly prefix: string) {}

  /** A fresh tensor name. */
  fresh(hint: string): string {
    return `${this.prefix}/${hint}_${++this.counter}`;
  }

  /** Appends a node with one output (or `outputs`) and returns its output name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, output?: string): string {
    const name = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ name: `${name}/node`, opType, domain: '', inputs: [...inputs], outputs: [name], attributes });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    const name = this.fresh('const');
    this.constants.push({ name, dataType: DataType.FLOAT, dims: [], data: new Float32Array([value]) });
    return name;
  }

  /** An int64 vector constant (axes, slice bounds). */
  ints(values: readonly number[]): string {
    const name = this.fresh('ints');
    this.constants.push({ name, dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return name;
  }

  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  sigmoid(x: string): string {
    return this.op('Sigmoid', [x]);
  }
  /** log(clip(x, eps, 1)): logs of probabilities, safe at 0. */
  safeLog(x: string): string {
    return this.op('Log', [this.op('Clip', [x, this.scalar(1e-12), this.scalar(1)])]);
  }
  /** 1 - x. */
  oneMinus(x: string): string {
    return this.sub(this.scalar(1), x);
  }
  /** x^p for a constant p (p = 1, 2 use multiplications). */
  pow(x: string, p: number): string {
    if (p === 0) return this.op('Add', [this.mul(x, this.scalar(0)), this.scalar(1)]);
    if (p === 1) return x;
    if (p === 2) return this.mul(x, x);
    return this.op('Pow', [x, this.scalar(p)]);
  }
  /** ReduceSum (opset 13 input form). */
  reduceSum(x: string, axes: readonly number[], keepDims = true): string {
    return this.op('ReduceSum', [x, this.ints(axes)], { keepdims: { type: 'int', value: keepDims ? 1 : 0 } });
  }
  /** Slice of the last axis [start, end). */
  sliceLast(x: string, start: number, end: number): string {
    return this.op('Slice', [x, this.ints([start]), this.ints([end]), this.ints([-1])]);
  }
}
