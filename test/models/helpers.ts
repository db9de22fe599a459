/** Shared helpers of the models tests: the PyTorch reference runner. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel } from '../../src/graph/onnx-io.js';
import type { Model } from '../../src/graph/ir.js';

const debianPython = '/usr/bin/python3';

/** True when Debian's python3 with torch and onnx is available. */
export function hasTorch(): boolean {
  if (!existsSync(debianPython)) return false;
  const r = spawnSync(debianPython, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
  return r.status === 0;
}

/** What the reference computes. */
export interface TorchReference {
  loss: number;
  gradients: Record<string, Float32Array>;
  updates: Record<string, Float32Array>;
}

/** The loss the reference applies: softmax cross-entropy (one target) or RetinaNet's sliced focal + smooth-L1 (value and weight targets per part). */
export type TorchLoss =
  | 'softmax-cross-entropy'
  | { readonly sliced: readonly ({ readonly size: number; readonly loss: 'focal'; readonly alpha: number; readonly gamma: number } | { readonly size: number; readonly loss: 'smooth-l1'; readonly beta: number })[] };

/** Runs test/models/torch_reference.py on a model, input, loss and its targets (in the order the loss takes them). */
export function torchReference(model: Model, output: string, input: { data: Float32Array; dims: number[] }, targets: readonly Float32Array[], weights: readonly string[], loss: TorchLoss = 'softmax-cross-entropy'): TorchReference {
  const dir = mkdtempSync(path.join(tmpdir(), 'heatcheck-torch-'));
  try {
    writeFileSync(path.join(dir, 'model.onnx'), encodeModel(model));
    writeFileSync(path.join(dir, 'input.bin'), new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength));
    targets.forEach((t, k) => writeFileSync(path.join(dir, `target_${k}.bin`), new Uint8Array(t.buffer, t.byteOffset, t.byteLength)));
    writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ input: input.dims, output, loss, weights }));
    const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
    const r = spawnSync(debianPython, [script, dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`torch reference failed: ${r.stderr}`);
    const parsed = JSON.parse(r.stdout.trim().split('\n').pop()!) as { loss: number; gradients: Record<string, string>; updates: Record<string, string> };
    const decode = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    };
    return {
      loss: parsed.loss,
      gradients: Object.fromEntries(Object.entries(parsed.gradients).map(([k, v]) => [k, decode(v)])),
      updates: Object.fromEntries(Object.entries(parsed.updates).map(([k, v]) => [k, decode(v)])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest |a - b| relative to the largest |b| (1 when b is all zero and a is not). */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? (diff === 0 ? 0 : 1) : diff / scale;
}

/** True when Debian's python3 with torchvision is available (the box IoU / NMS oracle). */
export function hasTorchvision(): boolean {
  if (!existsSync(debianPython)) return false;
  return spawnSync(debianPython, ['-c', 'import torchvision.ops'], { encoding: 'utf8' }).status === 0;
}

/** torchvision's pairwise `box_iou` (row-major) and `nms` kept indices per IoU threshold, for boxes given as x, y, width, height. */
export function torchvisionBoxes(boxes: readonly { x: number; y: number; width: number; height: number }[], scores: readonly number[], nmsIou: readonly number[]): { iou: number[]; keep: Record<string, number[]> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'heatcheck-torchvision-'));
  try {
    const file = path.join(dir, 'boxes.json');
    writeFileSync(file, JSON.stringify({ boxes: boxes.map((b) => [b.x, b.y, b.width, b.height]), scores, nms: nmsIou }));
    const script = fileURLToPath(new URL('./torchvision_boxes.py', import.meta.url));
    const r = spawnSync(debianPython, [script, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`torchvision oracle failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { iou: number[]; keep: Record<string, number[]> };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Names of the initializers whose values differ between two versions of a model (randomization tests). */
export function changedInitializers(a: Model, b: Model): string[] {
  const before = new Map(a.graph.initializers.map((t) => [t.name, t.data as Float32Array]));
  return b.graph.initializers
    .filter((t) => {
      const x = before.get(t.name)!;
      const y = t.data as Float32Array;
      return x.length !== y.length || x.some((v, i) => v !== y[i]);
    })
    .map((t) => t.name);
}
