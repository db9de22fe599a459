/**
 * `npm run bench -- saliency [--images=2] [--threads=2] [--lanes=2] [--methods=a,b] [--pair-batch=1] [--size=320]`
 *
 * The eight-method suite at the paper's settings on InceptionV3 (torchvision architecture, seeded random
 * weights exported to ONNX by bench/peers/engine_peer.py, so both sides run the same weights) against a
 * PyTorch implementation of the PAIR `saliency` loops (bench/peers/saliency_peer.py), in one run:
 * milliseconds per image for each method alone, for the whole suite, and the ratios. heatcheck packs IG
 * path points, noise samples and images into batches and shares passes (`explainSuite`); the peer runs
 * PAIR's loops with PAIR's `batch_size` (default 1, as the paper's TF1 scripts).
 * Each side runs in its own process, one after the other (this machine has 2 cores).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeBatch } from '../src/core/batch.js';
import { jobLanes, loadOnnxModel } from '../src/engine/index.js';
import { defaultSaliencyBatchSize, explainSuite, saliencyMethodIds, saliencyMethods, type SaliencyMethodId } from '../src/saliency/index.js';
import { printTable, runPeer } from './lib/measure.js';

const workDir = '/tmp/heatcheck-bench-saliency';

interface ChildSpec {
  onnx: string;
  images: string;
  n: number;
  size: number;
  threads: number;
  /** Engine lanes; undefined: what `heatcheck explain` uses (`jobLanes`, 2). */
  lanes: number | undefined;
  methods: SaliencyMethodId[];
}

interface SideResult {
  msPerImage: Record<string, number>;
  cpuMsPerImage?: Record<string, number>;
  peakRssMiB: number;
  /** heatcheck: model passes per image in the suite. */
  suitePasses?: number;
  error?: string;
}

function flag(flags: string[], name: string, fallback: string): string {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

/** Smooth phantom-like test images in [-1, 1], the same bytes for both sides. */
function writeImages(file: string, n: number, size: number): void {
  const data = new Float32Array(n * 3 * size * size);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const u = x / size;
          const v = y / size;
          const lungs = Math.exp(-(((u - 0.32 - 0.02 * i) / 0.14) ** 2) - ((v - 0.5) / 0.28) ** 2) + Math.exp(-(((u - 0.68) / 0.14) ** 2) - ((v - 0.5 + 0.03 * i) / 0.28) ** 2);
          const ribs = 0.15 * Math.sin(40 * v + 3 * Math.sin(6 * u) + i);
          data[((i * 3 + c) * size + y) * size + x] = Math.max(-1, Math.min(1, 0.9 - 1.4 * lungs + ribs));
        }
      }
    }
  }
  writeFileSync(file, Buffer.from(data.buffer));
}

/** The heatcheck side, inside its own process: each method alone, then the suite. */
async function child(spec: ChildSpec): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(spec.images);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const batch = makeBatch(data, [spec.n, 3, spec.size, spec.size]);
  // Room for every variant the runs use (both target forms of three passes, the shared pass, forward).
  const model = await loadOnnxModel(spec.onnx, { threads: spec.threads, lanes: spec.lanes ?? jobLanes, maxSessions: 10 });
  // Build the sessions (graph generation, onnxruntime compilation) outside the timings, as torch has none,
  // on the timed batch itself: calls of several rows run on the engine's lanes and one-row calls on the
  // main thread, each with sessions of their own.
  // Both target forms: one-pass methods take the predicted class in-graph, the others feed the class.
  for (const target of ['predicted', 0] as const) {
    await saliencyMethods.gradient.explain(model, batch, { target });
    await saliencyMethods['guided-backprop'].explain(model, batch, { target });
    await saliencyMethods['grad-cam'].explain(model, batch, { target });
  }
  await explainSuite(model, batch, { methods: ['gradient', 'grad-cam'] });
  // And one input-gradient call at the methods' call size (the engine splits it into its largest
  // sub-batches): onnxruntime's first run at a new, larger shape grows its memory arena and plans the
  // run, about 1 s per image of SmoothGrad's time otherwise (the peer's warm-up covers its batch of 1).
  const rows = defaultSaliencyBatchSize;
  const per = 3 * spec.size * spec.size;
  const wide = new Float32Array(rows * per);
  for (let r = 0; r < rows; r++) wide.set(batch.data.subarray((r % spec.n) * per, ((r % spec.n) + 1) * per), r * per);
  await model.inputGradients(makeBatch(wide, [rows, 3, spec.size, spec.size]), new Int32Array(rows));
  const msPerImage: Record<string, number> = {};
  const cpuMsPerImage: Record<string, number> = {};
  const time = async (key: string, work: () => Promise<unknown>): Promise<void> => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await work();
    const c = process.cpuUsage(c0);
    msPerImage[key] = (performance.now() - t0) / spec.n;
    cpuMsPerImage[key] = (c.user + c.system) / 1000 / spec.n;
  };
  for (const id of spec.methods) await time(id, () => saliencyMethods[id].explain(model, batch));
  // Model passes (images through any graph variant) per image of the suite, after its sharing.
  const passes = (): number => Object.values(model.stats().runs).reduce((sum, r) => sum + r.images, 0);
  let suitePasses: number | undefined;
  if (spec.methods.length === saliencyMethodIds.length) {
    const before = passes();
    await time('suite', () => explainSuite(model, batch));
    suitePasses = (passes() - before) / spec.n;
  }
  await model.dispose();
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ msPerImage, cpuMsPerImage, peakRssMiB, suitePasses })}\n`);
}

function heatcheckSide(spec: ChildSpec): SideResult {
  const self = fileURLToPath(import.meta.url);
  const result = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    cwd: path.resolve(path.dirname(self), '..'),
  });
  if (result.status !== 0) return { msPerImage: {}, peakRssMiB: NaN, error: result.stderr.trim().split('\n').slice(-5).join(' ') };
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as SideResult;
}

export async function run(flags: string[]): Promise<void> {
  const n = Number(flag(flags, 'images', '2'));
  const threads = Number(flag(flags, 'threads', '2'));
  const lanesFlag = flag(flags, 'lanes', '');
  const lanes = lanesFlag ? Number(lanesFlag) : undefined;
  if (lanes !== undefined && !(Number.isInteger(lanes) && lanes >= 1)) throw new Error(`--lanes: '${lanesFlag}' is not a positive integer`);
  const size = Number(flag(flags, 'size', '320'));
  const pairBatch = flag(flags, 'pair-batch', '1');
  const methods = flag(flags, 'methods', saliencyMethodIds.join(',')).split(',') as SaliencyMethodId[];
  mkdirSync(workDir, { recursive: true });
  const onnx = path.join(workDir, `inception_v3@${size}.onnx`);
  if (!existsSync(onnx)) runPeer('engine_peer.py', ['export', workDir, 'inception_v3', String(size)]);
  const images = path.join(workDir, `images-${n}x${size}.f32`);
  writeImages(images, n, size);
  console.log(`InceptionV3@${size}, ${n} image(s), ${threads} threads, lanes ${lanes ?? `${jobLanes} (as heatcheck explain)`}, PAIR batch_size ${pairBatch} on the torch side; files in ${workDir}`);

  const ours = heatcheckSide({ onnx, images, n, size, threads, lanes, methods });
  if (ours.error) console.log(`heatcheck failed: ${ours.error}`);
  let theirs: SideResult;
  try {
    theirs = runPeer<SideResult>('saliency_peer.py', ['time', workDir, images, String(n), String(size), methods.join(','), String(threads), pairBatch], {
      OMP_NUM_THREADS: String(threads),
    });
  } catch (e) {
    theirs = { msPerImage: {}, peakRssMiB: NaN, error: (e as Error).message.split('\n').slice(-3).join(' ') };
    console.log(`torch failed: ${theirs.error}`);
  }
  // The torch suite is the paper's: every method run on its own.
  if (methods.length === saliencyMethodIds.length) {
    theirs.msPerImage.suite = methods.reduce((s, id) => s + (theirs.msPerImage[id] ?? NaN), 0);
    if (theirs.cpuMsPerImage) theirs.cpuMsPerImage.suite = methods.reduce((s, id) => s + (theirs.cpuMsPerImage![id] ?? NaN), 0);
  }
  const rows = [...methods, ...(ours.msPerImage.suite !== undefined ? ['suite'] : [])].map((id) => {
    const a = ours.msPerImage[id] ?? NaN;
    const b = theirs.msPerImage[id] ?? NaN;
    const ca = ours.cpuMsPerImage?.[id] ?? NaN;
    const cb = theirs.cpuMsPerImage?.[id] ?? NaN;
    return [id, a / 1000, b / 1000, b / a, ca / 1000, cb / 1000, cb / ca];
  });
  printTable(['method', 'heatcheck s/img', 'torch s/img', 'speed-up', 'heatcheck cpu-s/img', 'torch cpu-s/img', 'cpu ratio'], rows);
  console.log('wall time per image; cpu = user + system time of all threads (less sensitive to other load on the machine)');
  console.log(`peak RSS: heatcheck ${ours.peakRssMiB.toFixed(0)} MiB, torch ${theirs.peakRssMiB.toFixed(0)} MiB`);
  if (ours.suitePasses !== undefined) console.log(`heatcheck suite: ${ours.suitePasses.toFixed(0)} model passes per image (any graph variant)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]!) as ChildSpec);
}
