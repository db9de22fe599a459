/**
 * `npx tsx scripts/acceptance-models.ts [small-cnn] [unet] [retinanet] [big] [--minutes=5] [--unet-lesion=pneumothorax]`
 *
 * The long acceptance runs of issue #6, kept out of `npm test`: the small CNN on 2,000 phantom images
 * (pneumonia-like lesions, 128x128) to held-out ROC-AUC, the U-Net on pneumothorax-like masks (Dice), the
 * small-backbone RetinaNet on pneumonia boxes (mAP@0.5), and InceptionV3 / DenseNet121 at 320x320
 * (build, forward, one training step). Prints one JSON line per result.
 */
import { encodeModel } from '../src/graph/onnx-io.js';
import { generatePhantom } from '../src/data/phantom/index.js';
import { createGraphSession } from '../src/engine/training-session.js';
import { evaluate } from '../src/jobs/train.js';
import {
  arraySource,
  buildDenseNet121,
  buildInceptionV3,
  buildRetinaNet,
  buildSmallCnn,
  buildUnet,
  classificationTask,
  createOptimizer,
  detectionTask,
  segmentationTask,
  softmaxCrossEntropy,
  trainModel,
  TrainingRunner,
  type BuiltModel,
  type TrainingSample,
  type TrainingTask,
} from '../src/models/index.js';

const args = process.argv.slice(2);
const minutes = Number(args.find((a) => a.startsWith('--minutes='))?.slice(10) ?? 5);
const unetLesion = (args.find((a) => a.startsWith('--unet-lesion='))?.slice(14) ?? 'pneumothorax') as 'pneumonia' | 'pneumothorax';
const chosen = args.filter((a) => !a.startsWith('--'));
const want = (name: string) => chosen.length === 0 || chosen.includes(name);
const threads = 2;

function phantom(lesion: 'pneumonia' | 'pneumothorax', count: number, size: number, seed: number) {
  const split: Record<string, TrainingSample[]> = { train: [], val: [], test: [] };
  for (const s of generatePhantom({ count, size, lesion, seed })) {
    split[s.split]!.push({ pixels: s.image.pixels, width: size, height: size, label: s.label, mask: s.lesionMask.data, boxes: s.boxes });
  }
  return split as { train: TrainingSample[]; val: TrainingSample[]; test: TrainingSample[] };
}

async function run(name: string, built: BuiltModel, task: TrainingTask, data: ReturnType<typeof phantom>, options: { epochs: number; batchSize: number; lr: number; balance?: boolean }) {
  const t0 = performance.now();
  const result = await trainModel(built, task, { train: arraySource(data.train), val: arraySource(data.val) }, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    optimizer: { kind: 'adam', learningRate: options.lr },
    balance: options.balance ?? false,
    patience: 100,
    threads,
    seed: 1,
    maxSeconds: minutes * 60,
    reporter: (e) => {
      if (e.stage === 'train epochs') console.error(`${name}: epoch ${e.done} ${e.detail} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    },
  });
  const metrics = await evaluate({ ...built, model: result.model }, data.test, 1, threads);
  console.log(JSON.stringify({ name, trainSeconds: Math.round(result.seconds), epochs: result.history.length, best: result.best, stopped: result.stopped, test: metrics }));
}

if (want('small-cnn')) {
  const data = phantom('pneumonia', 2000, 128, 1);
  await run('small-cnn', buildSmallCnn({ inputSize: 128, seed: 1 }), classificationTask(2), data, { epochs: 20, batchSize: 32, lr: 3e-3, balance: true });
}
if (want('unet')) {
  const data = phantom(unetLesion, 600, 128, 2);
  // Narrow and grayscale (as the demo's): the width-16 RGB U-Net spent 376 s on one epoch here; batches of 8 converged faster in the demo.
  await run(`unet-${unetLesion}`, buildUnet({ inputSize: 128, width: 8, depth: 4, channels: 1, seed: 1 }), segmentationTask(), data, { epochs: 30, batchSize: 8, lr: 2e-3 });
}
if (want('retinanet')) {
  // 2,000 phantoms as the (200 test images, 86 boxes: a usable interval). Balanced batches: 30% of
  // images hold lesions; oversampling them raised the median positive anchors per batch from 29 to 49.
  const data = phantom('pneumonia', 2000, 128, 3);
  const built = buildRetinaNet({ inputSize: 128, seed: 1 });
  await run('retinanet', built, detectionTask(built), data, { epochs: 30, batchSize: 8, lr: 1e-3, balance: true });
}
if (want('big')) {
  for (const [name, build] of [['inceptionv3', buildInceptionV3], ['densenet121', buildDenseNet121]] as const) {
    const t0 = performance.now();
    const built = build({ inputSize: 320, seed: 1 });
    const buildMs = performance.now() - t0;
    const session = await createGraphSession(built.model, { threads });
    const n = 2;
    const input = { data: new Float32Array(n * 3 * 320 * 320).map((_, i) => Math.sin(i * 0.001)), dims: [n, 3, 320, 320] };
    const t1 = performance.now();
    const out = await session.run({ [built.inputName]: input });
    const forwardMs = performance.now() - t1;
    await session.dispose();
    const runner = await TrainingRunner.create(built, softmaxCrossEntropy, { threads });
    const target = new Float32Array([0.5, 0, 0, 0.5]);
    const optimizer = createOptimizer({ kind: 'adam', learningRate: 7e-5 });
    const first = await runner.step(input, [target], optimizer);
    const t2 = performance.now();
    const second = await runner.step(input, [target], optimizer);
    const stepMs = performance.now() - t2;
    await runner.dispose();
    console.log(JSON.stringify({ name, buildMs: Math.round(buildMs), onnxMiB: +(encodeModel(built.model).length / 2 ** 20).toFixed(1), logits: Array.from(out[built.outputName]!.data), forwardMsBatch2: Math.round(forwardMs), trainStepMsBatch2: Math.round(stepMs), loss: [first.loss, second.loss] }));
  }
}
