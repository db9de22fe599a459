/**
 * Pretrained weights from a local ONNX model (nothing is downloaded): initializers are copied into a
 * built architecture by name, e.g. from a model heatcheck trained and saved before, and every
 * architecture parameter must be present with the same dims.
 */
import type { Model } from '../graph/ir.js';
import type { BuiltModel } from './architecture.js';
import { modelErrors } from './messages.js';

/** `built` with its parameters replaced by the same-named initializers of `source`; `ModelError` on a missing or misshapen one. */
export function loadPretrained(built: BuiltModel, source: Model): BuiltModel {
  const given = new Map(source.graph.initializers.map((t) => [t.name, t]));
  const values = new Map<string, Float32Array>();
  for (const p of built.parameters) {
    const t = given.get(p.name);
    if (!t || t.dims.length !== p.dims.length || t.dims.some((d, i) => d !== p.dims[i]) || !(t.data instanceof Float32Array)) {
      throw modelErrors.pretrainedMismatch(p.name, p.dims, t?.dims);
    }
    values.set(p.name, t.data);
  }
  const initializers = built.model.graph.initializers.map((t) => (values.has(t.name) ? { ...t, data: Float32Array.from(values.get(t.name)!) } : t));
  return { ...built, model: { ...built.model, graph: { ...built.model.graph, initializers } } };
}
