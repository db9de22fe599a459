/**
 * Training checkpoints as bytes (the jobs layer writes them atomically): a small binary container, a
 * JSON header followed by float32 tensors, holding the current and best weights, the optimiser state
 * and the history, so a killed run resumes at the next epoch with the same data order.
 */
import { modelErrors } from '../messages.js';
import type { OptimizerState } from './optimizers.js';

/** One epoch's record. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly score: number;
  readonly seconds: number;
}

/** Everything needed to resume training. */
export interface TrainingCheckpoint {
  /** Epochs completed. */
  readonly epoch: number;
  readonly history: readonly EpochRecord[];
  readonly best: { readonly epoch: number; readonly score: number } | undefined;
  /** Identifies the run configuration (architecture, options, data); resume refuses a mismatch. */
  readonly configHash: string;
  readonly parameters: ReadonlyMap<string, Float32Array>;
  readonly bestParameters: ReadonlyMap<string, Float32Array>;
  readonly optimizer: OptimizerState;
  readonly elapsedSeconds: number;
}

const MAGIC = 'HCCKPT01';

interface Header {
  epoch: number;
  history: EpochRecord[];
  best: { epoch: number; score: number } | null;
  configHash: string;
  elapsedSeconds: number;
  optimizerStep: number;
  tensors: { group: 'p' | 'b' | 'o'; name: string; slot: number; length: number }[];
}

/** Serialises a checkpoint. */
export function encodeCheckpoint(c: TrainingCheckpoint): Uint8Array {
  const arrays: Float32Array[] = [];
  const tensors: Header['tensors'] = [];
  const add = (group: 'p' | 'b' | 'o', name: string, slot: number, a: Float32Array) => {
    tensors.push({ group, name, slot, length: a.length });
    arrays.push(a);
  };
  for (const [k, v] of c.parameters) add('p', k, 0, v);
  for (const [k, v] of c.bestParameters) add('b', k, 0, v);
  for (const [k, slots] of Object.entries(c.optimizer.slots)) slots.forEach((a, i) => add('o', k, i, a));
  const header: Header = {
    epoch: c.epoch,
    history: [...c.history],
    best: c.best ? { ...c.best } : null,
    configHash: c.configHash,
    elapsedSeconds: c.elapsedSeconds,
    optimizerStep: c.optimizer.step,
    tensors,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((MAGIC.length + 4 + json.length) % 4)) % 4;
  const dataBytes = arrays.reduce((a, t) => a + t.byteLength, 0);
  const out = new Uint8Array(MAGIC.length + 4 + json.length + pad + dataBytes);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length + pad, true);
  out.set(json, MAGIC.length + 4);
  out.fill(0x20, MAGIC.length + 4 + json.length, MAGIC.length + 4 + json.length + pad);
  let offset = MAGIC.length + 4 + json.length + pad;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  return out;
}

/** Reads a checkpoint written by `encodeCheckpoint`; throws `UsageError` for anything else. */
export function decodeCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw modelErrors.badCheckpoint('not a heatcheck checkpoint');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength))) as Header;
  } catch {
    throw modelErrors.badCheckpoint('the header is not JSON');
  }
  let offset = MAGIC.length + 4 + headerLength;
  const parameters = new Map<string, Float32Array>();
  const bestParameters = new Map<string, Float32Array>();
  const slots: Record<string, Float32Array[]> = {};
  for (const t of header.tensors) {
    const end = offset + t.length * 4;
    if (end > bytes.length) throw modelErrors.badCheckpoint('the file is truncated');
    const a = new Float32Array(t.length);
    new Uint8Array(a.buffer).set(bytes.subarray(offset, end));
    offset = end;
    if (t.group === 'p') parameters.set(t.name, a);
    else if (t.group === 'b') bestParameters.set(t.name, a);
    else (slots[t.name] ??= [])[t.slot] = a;
  }
  return {
    epoch: header.epoch,
    history: header.history,
    best: header.best ?? undefined,
    configHash: header.configHash,
    parameters,
    bestParameters,
    optimizer: { step: header.optimizerStep, slots },
    elapsedSeconds: header.elapsedSeconds,
  };
}
