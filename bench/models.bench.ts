/**
 * `npm run bench -- models [--models=small-cnn@128,inceptionv3@320] [--batch=4] [--threads=2] [--runs=3]`
 *
 * One training step (forward with BatchNorm batch statistics, softmax cross-entropy, backward to every
 * weight, Adam update) of heatcheck's own architectures: heatcheck's generated training graph on
 * onnxruntime vs PyTorch autograd running the very same ONNX graph and weights as torch functional ops
 * (bench/peers/models_peer.py), measured in one run; sides run in separate processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel } from '../src/graph/onnx-io.js';
import { buildArchitecture, createOptimizer, softmaxCrossEntropy, TrainingRunner } from '../src/models/index.js';
import { median, printTable, runPeer } from './lib/measure.js';

const workDir = '/tmp/heatcheck-bench-models';

function flag(flags: string[], name: string, fallback: string): string {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

interface Spec {
  arch: string;
  size: number;
  batch: number;
  threads: number;
  runs: number;
}

/** The heatcheck side, in a child process. */
async function child(spec: Spec): Promise<void> {
  const built = buildArchitecture(spec.arch, { inputSize: spec.size, seed: 0 });
  const runner = await TrainingRunner.create(built, softmaxCrossEntropy, { threads: spec.threads });
  const c = built.preprocessing.channels;
  const n = spec.batch;
  const input = { data: new Float32Array(n * c * spec.size * spec.size).map((_, i) => Math.sin(i * 0.001)), dims: [n, c, spec.size, spec.size] };
  const target = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) target[i * 2 + (i % 2)] = 1 / n;
  const optimizer = createOptimizer({ kind: 'adam', learningRate: 7e-5 });
  const times: number[] = [];
  for (let i = 0; i <= spec.runs; i++) {
    const t0 = performance.now();
    await runner.step(input, [target], optimizer);
    if (i > 0) times.push(performance.now() - t0);
  }
  await runner.dispose();
  console.log(JSON.stringify({ ms: median(times), peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

export async function run(flags: string[]): Promise<void> {
  const models = flag(flags, 'models', 'small-cnn@128,inceptionv3@320').split(',');
  const batch = Number(flag(flags, 'batch', '4'));
  const threads = Number(flag(flags, 'threads', '2'));
  const runs = Number(flag(flags, 'runs', '3'));
  mkdirSync(workDir, { recursive: true });
  const rows: (string | number)[][] = [];
  for (const entry of models) {
    const [arch, sizeText] = entry.split('@') as [string, string];
    const size = Number(sizeText);
    const built = buildArchitecture(arch, { inputSize: size, seed: 0 });
    const file = path.join(workDir, `${arch}@${size}.onnx`);
    writeFileSync(file, encodeModel(built.model));
    const spec: Spec = { arch, size, batch, threads, runs };
    const self = fileURLToPath(import.meta.url);
    const ours = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 1 << 26, cwd: path.resolve(path.dirname(self), '..') });
    const heat = ours.status === 0 ? (JSON.parse(ours.stdout.trim().split('\n').pop()!) as { ms: number; peakRssMiB: number }) : { ms: NaN, peakRssMiB: NaN };
    let torch = { ms: NaN, peakRssMiB: NaN };
    try {
      torch = runPeer('models_peer.py', [file, built.trainOutput, String(batch), String(threads), String(runs)], { OMP_NUM_THREADS: String(threads) });
    } catch (e) {
      console.error((e as Error).message.split('\n').slice(0, 3).join(' '));
    }
    rows.push([`${arch}@${size}`, batch, heat.ms, torch.ms, heat.ms / torch.ms, heat.peakRssMiB, torch.peakRssMiB]);
  }
  printTable(['model', 'batch', 'heatcheck ms/step', 'torch ms/step', 'ratio (>1 = slower)', 'heatcheck MiB', 'torch MiB'], rows);
}

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]!) as Spec);
