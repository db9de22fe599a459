/**
 * `heatcheck explain --model m.onnx --images <files... | folder> --methods a,b --out dir [--target]
 * [--input-size] [--preset] [--seed] [--batch-size] [--normalize] [--split] [--limit]`: writes per image and
 * method a 16-bit map PNG, a plasma overlay PNG and a JSON of metadata. Exit codes: 0 ok, 2 bad flags or
 * images, 1 a model that cannot be used or any other failure.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { presetNames, type PresetName } from '../../config/index.js';
import { SPLITS, type Split } from '../../data/index.js';
import { explainNormalizations, runExplain, type ExplainNormalization } from '../../jobs/explain.js';
import { createProgress } from '../progress.js';

interface ExplainFlags {
  model: string;
  images: string[];
  methods: string;
  out: string;
  target: string;
  inputSize?: string;
  preset?: string;
  seed?: string;
  batchSize?: string;
  threads?: string;
  lanes?: string;
  normalize: string;
  split?: string;
  limit?: string;
  quiet?: boolean;
}

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError('cli-bad-flag', `${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UsageError('cli-bad-flag', `${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Registers `explain`. */
export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('explain images with saliency methods: 16-bit map PNG, plasma overlay PNG and JSON metadata per image and method')
    .requiredOption('--model <file.onnx>', 'ONNX classifier (NCHW image input)')
    .requiredOption('--images <paths...>', 'image files (DICOM, PNG, JPEG), a folder of images, or a dataset folder')
    .requiredOption('--methods <list>', 'comma-separated method ids, e.g. gradient,grad-cam (see docs/saliency.md)')
    .requiredOption('--out <folder>', 'output folder: <method>/<image>.png, .overlay.png, .json and explain.json')
    .option('--target <class>', 'predicted, or a class index', 'predicted')
    .option('--input-size <n>', 'input height = width (needed for models with a dynamic size)')
    .option('--preset <name>', 'method defaults and post-processing: arun2021 or recommended (default recommended)')
    .option('--seed <n>', 'seed of SmoothGrad and Smooth IG noise (default: the preset\'s)')
    .option('--batch-size <n>', 'most inputs per model call (default: the preset\'s, 32)')
    .option('--normalize <kind>', 'inception ([-1, 1]), imagenet or unit ([0, 1])', 'inception')
    .option('--split <split>', 'dataset folders: only this split (train, val, test)')
    .option('--limit <n>', 'explain at most this many images')
    .option('--threads <n>', 'onnxruntime threads (default: all cores)')
    .option('--lanes <n>', 'engine lanes running sub-batches side by side: 1 saves memory, 2 (default) is faster on DenseNet- and Inception-like models; maps are identical')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: ExplainFlags) => {
      const target = flags.target === 'predicted' ? 'predicted' : integer('--target', flags.target, 0);
      const preset = oneOf<PresetName>('--preset', flags.preset, presetNames);
      const normalize = oneOf<ExplainNormalization>('--normalize', flags.normalize, explainNormalizations)!;
      const split = oneOf<Split>('--split', flags.split, SPLITS);
      const inputSize = integer('--input-size', flags.inputSize, 1);
      const seed = integer('--seed', flags.seed, 0);
      const batchSize = integer('--batch-size', flags.batchSize, 1);
      const limit = integer('--limit', flags.limit, 1);
      const threads = integer('--threads', flags.threads, 1);
      const lanes = integer('--lanes', flags.lanes, 1);
      const progress = createProgress({ mode: flags.quiet ? 'quiet' : 'auto' });
      const run = await runExplain({
        model: flags.model,
        images: flags.images,
        methods: flags.methods.split(',').map((m) => m.trim()).filter((m) => m !== ''),
        outDir: flags.out,
        normalize,
        onProgress: progress,
        ...(target !== undefined ? { target } : {}),
        ...(preset !== undefined ? { preset } : {}),
        ...(split !== undefined ? { split } : {}),
        ...(inputSize !== undefined ? { inputSize } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(threads !== undefined ? { threads } : {}),
        ...(lanes !== undefined ? { lanes } : {}),
      });
      progress.finish();
      const degenerate = run.maps.filter((m) => m.degenerate).length;
      process.stdout.write(`${run.maps.length} maps written to ${run.outDir}${degenerate ? ` (${degenerate} degenerate, stored as zeros)` : ''}\nsummary: ${run.summary}\n`);
    });
}
