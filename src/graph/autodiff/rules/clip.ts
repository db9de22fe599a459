/**
 * Gradient of Clip: dy passes where min <= x <= max (inclusive, as PyTorch's clamp), else zero. Bounds
 * are attributes before opset 11 and optional inputs from 11; the bounds themselves get no gradient.
 */
import { DataType } from '../../ir.js';
import { emit1, scalar } from '../helpers.js';
import type { GradientRule } from '../rule.js';
import { attrFloat } from './rule-utils.js';

/** Clip (Relu6 and friends): dx = dy * [min <= x <= max]. */
export const clipRule: GradientRule = {
  opTypes: ['Clip'],
  backward(ctx) {
    const dy = ctx.outputGrads[0];
    const { node } = ctx;
    const x = node.inputs[0]!;
    const none = node.inputs.slice(1).map(() => undefined);
    if (!dy || !ctx.needsGrad[0]) return [undefined, ...none];
    const dtype = ctx.dtype(x);
    let min: string | undefined;
    let max: string | undefined;
    if (ctx.opset < 11) {
      // Attribute defaults are the float extremes, which never clip.
      if (node.attributes.min) min = scalar(ctx, attrFloat(node, 'min', 0), dtype);
      if (node.attributes.max) max = scalar(ctx, attrFloat(node, 'max', 0), dtype);
    } else {
      if (node.inputs[1]) min = node.inputs[1];
      if (node.inputs[2]) max = node.inputs[2];
    }
    const conditions: string[] = [];
    if (min) conditions.push(emit1(ctx, 'Not', [emit1(ctx, 'Less', [x, min])]));
    if (max) conditions.push(emit1(ctx, 'Not', [emit1(ctx, 'Greater', [x, max])]));
    if (conditions.length === 0) return [dy, ...none];
    const inside = conditions.length === 2 ? emit1(ctx, 'And', conditions) : conditions[0]!;
    // Where arrived in opset 9; older models (attribute-form Clip) multiply by the cast mask instead.
    if (ctx.opset < 9) return [emit1(ctx, 'Mul', [dy, emit1(ctx, 'Cast', [inside], { to: { type: 'int', value: dtype ?? DataType.FLOAT } })]), ...none];
    return [emit1(ctx, 'Where', [inside, dy, scalar(ctx, 0, dtype)]), ...none];
  },
};
