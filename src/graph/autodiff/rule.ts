/**
 * The contract between the autodiff driver (autodiff/differentiate.ts) and the gradient rules
 * (autodiff/rules/<op>.ts, one op family per file). A rule sees one forward node, the names of the
 * gradients flowing into its outputs, and emits backward ONNX nodes through the context; it returns
 * the name of the gradient of each forward input. Rules never touch the graph directly.
 */
import type { Attribute, DataTypeCode, Dim, Node, Tensor, TensorData } from '../ir.js';

/** Which flavour of backward pass is being built. */
export interface GradMode {
  /** Guided backprop: ReLU passes gradient only where forward input > 0 and incoming gradient > 0. */
  readonly guided: boolean;
  /** Training: BatchNormalization uses batch statistics, Dropout stays inference (deterministic). */
  readonly training: boolean;
}

export interface GradContext {
  readonly node: Node;
  /** Gradient tensor flowing into each forward output; undefined when no gradient reaches it (zero). */
  readonly outputGrads: readonly (string | undefined)[];
  /** For each forward input: does anything downstream need its gradient? Skip work where false. */
  readonly needsGrad: readonly boolean[];
  readonly mode: GradMode;
  /** Default-domain opset of the model (rules choose attribute vs input forms, e.g. ReduceSum axes). */
  readonly opset: number;
  /** Static shape of a forward tensor (batch may be symbolic); undefined when unknown. */
  shape(name: string): Dim[] | undefined;
  /** Element type of a forward tensor when known. */
  dtype(name: string): DataTypeCode | undefined;
  /** The constant value of a forward tensor if it is an initializer or Constant output, else undefined. */
  constant(name: string): Tensor | undefined;
  /**
   * Appends a backward node and returns the names of its outputs (fresh, unique). Empty strings in
   * `inputs` mean "optional input omitted", as in ONNX.
   */
  emit(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>, outputCount?: number): string[];
  /** Adds a constant to the backward graph and returns its name. */
  addConstant(data: TensorData, dims: readonly number[], dataType?: DataTypeCode): string;
  /**
   * Makes the forward node produce its optional output `index` (e.g. MaxPool's argmax indices) and
   * returns that output's name, so the backward pass can use it.
   */
  forwardOutput(index: number): string;
}

/**
 * What an optional forward rewrite sees (e.g. BatchNormalization switching to batch statistics in
 * training mode). Nodes it emits run just before the forward node and carry no gradient themselves:
 * the rule's `backward` must account for them (the driver treats their outputs as constants).
 */
export interface ForwardContext {
  /** A private copy of the forward node; `setInput` changes it. */
  readonly node: Node;
  readonly mode: GradMode;
  readonly opset: number;
  shape(name: string): Dim[] | undefined;
  dtype(name: string): DataTypeCode | undefined;
  constant(name: string): Tensor | undefined;
  /** Appends a forward node (placed before `node`) and returns its fresh output names. */
  emit(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>, outputCount?: number): string[];
  addConstant(data: TensorData, dims: readonly number[], dataType?: DataTypeCode): string;
  /** Rewires forward input `index` of the node to another tensor. */
  setInput(index: number, name: string): void;
  /** Exposes `tensor` as a graph output holding the updated value of `initializer` (running statistics). */
  exposeUpdate(initializer: string, tensor: string): void;
  /**
   * Computes the node's outputs with emitted forward tensors instead: the emitted graph gets an Identity
   * per output in its place, while the backward still sees the node (and its rule's formula).
   */
  lowerTo(outputs: readonly string[]): void;
}

export interface GradientRule {
  /** ONNX op types this rule differentiates (default domain). */
  readonly opTypes: readonly string[];
  /** Gradient name per forward input, in input order; undefined for inputs that get no gradient. */
  backward(ctx: GradContext): (string | undefined)[];
  /** Optional forward rewrite for the mode, applied to every node of these ops before differentiation. */
  forward?(ctx: ForwardContext): void;
}
