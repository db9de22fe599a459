/** The public API of graph/: the ONNX IR, protobuf read/write, shape inference and autodiff. */
export * from './ir.js';
export { decodeModel, encodeModel } from './onnx-io.js';
export { inferShapes, type ShapeEntry, type ShapeTable } from './shapes.js';
export { differentiate, type DifferentiateOptions, type DifferentiateResult } from './autodiff/differentiate.js';
export type { ForwardContext, GradContext, GradientRule, GradMode } from './autodiff/rule.js';
export { gradientRules, supportedOps } from './autodiff/rules/index.js';
export * from './builder.js';
