/**
 * `npm run bench -- engine [--rounds=3] [--runs=5] [--batch=8] [--threads=2] [--lanes=1] [--models=a,b]
 *  [--kinds=forward,input,guided,layer,train] [--profile]`
 *
 * heatcheck's engine vs PyTorch CPU autograd on the same weights (torchvision models with seeded random
 * weights, exported to ONNX by bench/peers/engine_peer.py): DenseNet121@224, InceptionV3@299,
 * InceptionV3@320, ResNet18@224 at batch 8, for the forward pass and each gradient kind (input, guided,
 * layer = Grad-CAM block output, train = weight gradients with BatchNorm in training mode).
 * Each (side, model, kind) runs in its own child process so peak RSS is honest; sides alternate, and
 * with --rounds > 1 the table shows medians over rounds. --profile writes onnxruntime profiles and
 * prints which node kinds dominate each heatcheck graph. --lanes sets the engine's lanes (default: the
 * engine's default, one session with all threads; `--lanes=2` is what the jobs use).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeBatch } from '../src/core/batch.js';
import { loadOnnxModel } from '../src/engine/index.js';
import { median, printTable, runPeer } from './lib/measure.js';

const workDir = '/tmp/heatcheck-bench-engine';
const allModels = ['densenet121@224', 'inception_v3@299', 'inception_v3@320', 'resnet18@224'];
const allKinds = ['forward', 'input', 'guided', 'layer', 'train'] as const;
type Kind = (typeof allKinds)[number];
const blocks: Record<string, string> = { resnet18: 'layer4', densenet121: 'features', inception_v3: 'Mixed_7c' };

interface Timing {
  ms: number;
  imgPerSec: number;
  peakRssMiB: number;
  error?: string;
  profile?: { op: string; ms: number; share: number }[];
}

function flag(flags: string[], name: string, fallback: string): string {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

/** Runs one timing in a child process of this file (heatcheck side). */
function heatcheckChild(spec: ChildSpec): Timing {
  const self = fileURLToPath(import.meta.url);
  const result = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    cwd: path.resolve(path.dirname(self), '..'),
  });
  if (result.status !== 0) return { ms: NaN, imgPerSec: NaN, peakRssMiB: NaN, error: result.stderr.trim().split('\n').slice(-3).join(' ') };
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Timing;
}

function torchChild(name: string, size: number, kind: Kind, batch: number, threads: number, runs: number): Timing {
  try {
    return runPeer<Timing>('engine_peer.py', ['time', workDir, name, String(size), kind, String(batch), String(threads), String(runs)], {
      OMP_NUM_THREADS: String(threads),
    });
  } catch (e) {
    return { ms: NaN, imgPerSec: NaN, peakRssMiB: NaN, error: (e as Error).message.split('\n').slice(-3).join(' ') };
  }
}

interface ChildSpec {
  onnx: string;
  block: string;
  kind: Kind;
  batch: number;
  threads: number;
  lanes: number | undefined;
  runs: number;
  size: number;
  profile: string | undefined;
}

/** The heatcheck side of one timing, run inside the child process. */
async function child(spec: ChildSpec): Promise<void> {
  const model = await loadOnnxModel(spec.onnx, {
    threads: spec.threads,
    ...(spec.lanes ? { lanes: spec.lanes } : {}),
    ...(spec.profile ? { profilePrefix: spec.profile } : {}),
    checkGradients: spec.kind !== 'forward',
  });
  const n = spec.batch;
  const data = new Float32Array(n * 3 * spec.size * spec.size);
  // A deterministic, image-like pattern (no Math.random: runs repeat exactly).
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.001) * 0.8 + Math.cos(i * 0.37) * 0.2;
  const batch = makeBatch(data, [n, 3, spec.size, spec.size]);
  const targets = Array.from({ length: n }, (_, i) => (i * 37) % model.info.numClasses);
  const step: Record<Kind, () => Promise<unknown>> = {
    forward: () => model.predict(batch),
    input: () => model.inputGradients(batch, targets),
    guided: () => model.guidedGradients(batch, targets),
    layer: () => model.layerGradients(batch, targets, [spec.block]),
    train: () => model.weightGradients(batch, targets, { training: true }),
  };
  const fn = step[spec.kind];
  await fn();
  const times: number[] = [];
  for (let i = 0; i < spec.runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  await model.dispose();
  const out: Timing = { ms, imgPerSec: (n * 1000) / ms, peakRssMiB };
  if (spec.profile) out.profile = summariseProfiles(spec.profile);
  console.log(JSON.stringify({ ...out, builds: model.stats().builds }));
}

/** Sums onnxruntime profile node events by op type (backward nodes that heatcheck generated marked "grad:"). */
function summariseProfiles(prefix: string): { op: string; ms: number; share: number }[] {
  const dir = path.dirname(prefix);
  const base = path.basename(prefix);
  const byOp = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.startsWith(base) && f.endsWith('.json'))) {
    const events = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      cat: string;
      name: string;
      dur: number;
      args?: { op_name?: string };
    }[];
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || !e.args?.op_name) continue;
      const key = `${e.name.startsWith('hc_grad/') ? 'grad:' : ''}${e.args.op_name}`;
      byOp.set(key, (byOp.get(key) ?? 0) + e.dur / 1000);
      total += e.dur / 1000;
    }
  }
  return [...byOp.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([op, ms]) => ({ op, ms, share: ms / total }));
}

/** Benchmark entry point (see the module comment for flags). */
export async function run(flags: string[]): Promise<void> {
  const rounds = Number(flag(flags, 'rounds', '1'));
  const runs = Number(flag(flags, 'runs', '5'));
  const batch = Number(flag(flags, 'batch', '8'));
  const threads = Number(flag(flags, 'threads', '2'));
  const lanesFlag = flag(flags, 'lanes', '');
  const lanes = lanesFlag ? Number(lanesFlag) : undefined;
  if (lanes !== undefined && !(Number.isInteger(lanes) && lanes >= 1)) throw new Error(`--lanes: '${lanesFlag}' is not a positive integer`);
  const models = flag(flags, 'models', allModels.join(',')).split(',');
  const kinds = flag(flags, 'kinds', allKinds.join(',')).split(',') as Kind[];
  const profile = flags.includes('--profile');
  // Any torchvision name the peer knows works at any size; check the form before the peer exports.
  for (const m of models) {
    const [name, size] = m.split('@');
    if (!name || !Object.hasOwn(blocks, name) || !/^\d+$/.test(size ?? '')) {
      throw new Error(`--models: '${m}' is not <model>@<size> with a model of ${Object.keys(blocks).join(', ')} (e.g. ${allModels.join(',')})`);
    }
  }
  for (const kind of kinds) if (!(allKinds as readonly string[]).includes(kind)) throw new Error(`--kinds: '${kind}' is not one of ${allKinds.join(', ')}`);
  mkdirSync(workDir, { recursive: true });
  console.log(`batch ${batch}, ${threads} threads, lanes ${lanes ?? 'default'}, ${runs} timed runs per child after a warm-up, ${rounds} round(s); files in ${workDir}`);

  const results = new Map<string, { hc: Timing[]; torch: Timing[] }>();
  const profiles: [string, Timing['profile']][] = [];
  for (const m of models) {
    const [name, sizeText] = m.split('@') as [string, string];
    runPeer('engine_peer.py', ['export', workDir, name, sizeText]);
  }
  for (let round = 0; round < rounds; round++) {
    for (const m of models) {
      const [name, sizeText] = m.split('@') as [string, string];
      const size = Number(sizeText);
      for (const kind of kinds) {
        const key = `${m}|${kind}`;
        const entry = results.get(key) ?? { hc: [], torch: [] };
        results.set(key, entry);
        let profilePrefix: string | undefined;
        if (profile && round === 0) {
          const dir = path.join(workDir, 'profiles');
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          profilePrefix = path.join(dir, `${name}-${size}-${kind}`);
        }
        const spec: ChildSpec = { onnx: path.join(workDir, `${m}.onnx`), block: blocks[name]!, kind, batch, threads, lanes, runs, size, profile: profilePrefix };
        // Alternate which side goes first so slow drifts on a shared machine hit both.
        const order = (round + kinds.indexOf(kind)) % 2 === 0 ? ['hc', 'torch'] : ['torch', 'hc'];
        for (const side of order) {
          if (side === 'hc') entry.hc.push(heatcheckChild(spec));
          else entry.torch.push(torchChild(name, size, kind, batch, threads, runs));
        }
        const last = entry.hc[entry.hc.length - 1]!;
        if (last.profile) profiles.push([`${m} ${kind}`, last.profile]);
        const t = entry.torch[entry.torch.length - 1]!;
        console.error(`  ${m} ${kind}: heatcheck ${last.imgPerSec.toFixed(1)} img/s ${last.peakRssMiB.toFixed(0)} MiB${last.error ? ` (${last.error})` : ''}; torch ${t.imgPerSec.toFixed(1)} img/s ${t.peakRssMiB.toFixed(0)} MiB${t.error ? ` (${t.error})` : ''}`);
      }
    }
  }

  const rows: (string | number)[][] = [];
  for (const [key, { hc, torch }] of results) {
    const [m, kind] = key.split('|') as [string, string];
    const h = median(hc.map((t) => t.imgPerSec));
    const p = median(torch.map((t) => t.imgPerSec));
    const hm = median(hc.map((t) => t.peakRssMiB));
    const pm = median(torch.map((t) => t.peakRssMiB));
    rows.push([m, kind, h, p, `${(h / p).toFixed(2)}x`, hm, pm, `${(hm / pm).toFixed(2)}x`]);
  }
  printTable(['model', 'kind', 'heatcheck img/s', 'torch img/s', 'speed ratio', 'heatcheck peak MiB', 'torch peak MiB', 'memory ratio'], rows);
  for (const [label, summary] of profiles) {
    console.log(`\nprofile ${label}: share of node time by op (grad: = generated backward nodes)`);
    printTable(['op', 'ms', 'share'], (summary ?? []).map((s) => [s.op, s.ms, `${(100 * s.share).toFixed(1)}%`]));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]!) as ChildSpec);
}

