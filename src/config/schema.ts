/**
 * The audit configuration as zod schemas, the single source of the config's TypeScript types, its
 * validation and its JSON Schema. `auditConfigSchema` is the fully resolved config (every option
 * present, as recorded in results); `configFileSchema` is what a file or a preset may hold: the same
 * tree with every object field optional, merged over a preset before validation.
 */
import { z } from 'zod';
import type { DatasetFormat, PhantomLesion, PhantomShortcutKind } from '../data/index.js';
import type { ArchitectureId } from '../models/architecture.js';
import type { InitializerKind } from '../models/net-builder.js';
import type { SaliencyMethodId } from '../saliency/types.js';
import type { ChannelReduce, DegeneratePolicy, SignMode } from '../imaging/postprocess.js';
import type { BoxRule } from '../imaging/rasterize.js';
import type { MaskResizeMethod } from '../imaging/resize.js';
import type { SsimWindow } from '../metrics/ssim.js';
import type { HitTies } from '../metrics/overlap.js';
import type { IntegrationRule } from '../saliency/integrated-gradients.js';
import type { UpsampleMethod } from '../imaging/upsample.js';
import type {
  BaselineScheme,
  ConsistencyRule,
  CorrectionMethod,
  RandomizationRule,
  SelectionMethod,
  TestKind,
  UtilityRule,
} from '../criteria/index.js';

// Lists that must name every member of their layer's type: a missing member fails to compile.
const allOf =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : never)): L =>
    list;

/** The named presets. */
export const presetNames = ['arun2021', 'recommended'] as const;
/** A preset name. */
export type PresetName = (typeof presetNames)[number];

/** Ids of the saliency methods a config may list (the registry's, in the paper's order). */
export const configMethodIds = Object.freeze(
  allOf<SaliencyMethodId>()(['gradient', 'smoothgrad', 'integrated-gradients', 'smooth-ig', 'grad-cam', 'guided-backprop', 'guided-grad-cam', 'xrai']),
);

const datasetFormats = allOf<DatasetFormat>()(['siim', 'rsna', 'folder', 'phantom']);
const classifierArchitectures = ['inceptionv3', 'densenet121', 'small-cnn', 'small-resnet'] as const satisfies readonly ArchitectureId[];
const localizationArchitectures = ['unet', 'retinanet'] as const satisfies readonly ArchitectureId[];
const initializers = allOf<InitializerKind>()(['keras', 'he']);
const lesions = allOf<PhantomLesion>()(['pneumothorax', 'pneumonia']);
const shortcuts = allOf<PhantomShortcutKind>()(['tube', 'token']);
const signs = allOf<SignMode>()(['abs', 'positive', 'signed']);
const reduces = allOf<ChannelReduce>()(['sum', 'max', 'mean']);
const degeneratePolicies = allOf<DegeneratePolicy>()(['nan', 'zeros']);
const boxRules = allOf<BoxRule>()(['arun2021', 'exact']);
const maskResizes = allOf<MaskResizeMethod>()(['nearest', 'area']);
const windows = allOf<SsimWindow>()(['box', 'gaussian']);
const hitTies = allOf<HitTies>()(['fraction', 'any', 'all', 'first']);
const integrationRules = allOf<IntegrationRule>()(['pair', 'trapezoid', 'left', 'right', 'midpoint']);
const upsamples = allOf<UpsampleMethod>()(['bilinear', 'nearest']);
const baselineSchemes = allOf<BaselineScheme>()(['arun2021', 'uniform']);
const consistencyRules = allOf<ConsistencyRule>()(['weak', 'strong', 'both']);
const corrections = allOf<CorrectionMethod>()(['holm', 'none']);
const randomizationRules = allOf<RandomizationRule>()(['paper', 'test', 'both']);
const selections = allOf<SelectionMethod>()(['arun2021', 'seeded', 'first']);
const tests = allOf<TestKind>()(['wilcoxon', 't']);
const utilityRules = allOf<UtilityRule>()(['mean-at-least', 'not-significantly-worse']);

const positiveInt = z.number().int().positive();
const seed = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const path = z.string().min(1);

const datasetSchema = z
  .strictObject({
    format: z.enum(datasetFormats).describe('Dataset layout: siim (masks), rsna (boxes), folder (labels.csv + masks/ or boxes.csv), phantom (generated).'),
    root: path.optional().describe('Dataset folder (not needed for phantom).'),
    splitFile: path.optional().describe('Split file with columns index, Image_ID, Split (the paper\'s pneumothorax_splits.csv / pneumonia_splits.csv); without it a seeded split.'),
    labelsFile: path.optional().describe('Label / RLE / box CSV when not at its default place under root.'),
    imagesDir: path.optional().describe('Image folder when not at its default place under root.'),
    masksDir: path.optional().describe('Mask image folder (folder datasets).'),
    boxesFile: path.optional().describe('Box CSV (folder datasets).'),
    classFile: path.optional().describe('RSNA stage_2_detailed_class_info.csv.'),
    classes: z.enum(['paper', 'all']).optional().describe('RSNA: paper = Lung Opacity vs Normal (the paper); all = every patient, label = Target.'),
    skipBad: z.boolean().describe('Skip unreadable rows and files (recorded as problems) instead of stopping.'),
    imageSize: positiveInt.describe('Model input size in pixels; images, masks and maps are at this size (320 in the paper).'),
    boxRule: z.enum(boxRules).describe('Boxes to pixels: arun2021 = int(320 * c / 1023), inclusive ends (the paper); exact = covered pixels.'),
    maskResize: z.enum(maskResizes).describe('Mask resizing to imageSize (positive = any non-zero pixel).'),
    phantom: z
      .strictObject({
        count: positiveInt.optional(),
        prevalence: z.number().gt(0).lt(1).optional(),
        lesion: z.enum(lesions).optional(),
        shortcut: z.strictObject({ kind: z.enum(shortcuts), positiveRate: z.number().min(0).max(1).optional(), negativeRate: z.number().min(0).max(1).optional() }).optional(),
        noise: z.number().min(0).optional(),
      })
      .optional()
      .describe('Phantom generator options (format phantom); the seed is the config seed.'),
  })
  .describe('Where the images, ground truth and splits come from.');

const modelSourceSchema = z
  .union([
    z.strictObject({
      id: z.string().min(1).optional().describe('Name used in outputs (default: derived from the group and position).'),
      onnx: path.describe('ONNX model file.'),
      card: path.optional().describe('Model card JSON (preprocessing, Grad-CAM layer, randomization blocks).'),
    }),
    z.strictObject({
      id: z.string().min(1).optional(),
      train: z.strictObject({ seed: seed.describe('Seed of the initial weights and data order.') }).describe('Train this replicate here.'),
    }),
  ])
  .describe('A model: an ONNX file (+ model card) or a replicate to train.');

const classifierGroupSchema = z.strictObject({
  name: z.string().min(1).describe('Architecture label used in outputs, e.g. inceptionv3.'),
  architecture: z.enum(classifierArchitectures).optional().describe('Architecture to build; required when a model is trained here.'),
  models: z.array(modelSourceSchema).min(1),
});

const localizationSchema = z.strictObject({
  name: z.string().min(1).describe('Label in outputs, e.g. unet or retinanet.'),
  task: z.enum(['segmentation', 'detection']).describe('segmentation: probability map; detection: boxes rasterised with their scores (per-pixel max).'),
  architecture: z.enum(localizationArchitectures).optional(),
  models: z.array(modelSourceSchema).min(1).describe('Replicates; two give the replicate-vs-replicate SSIM reference.'),
});

const modelsSchema = z
  .strictObject({
    replicates: classifierGroupSchema.describe('Replicates of one classifier architecture (at least two, for repeatability).'),
    others: z.array(classifierGroupSchema).min(1).describe('Other classifier architectures (at least one, for reproducibility).'),
    localization: z.array(localizationSchema).min(1).describe('Localization networks, the utility and consistency baselines (U-Net, RetinaNet).'),
    training: z
      .strictObject({
        epochs: positiveInt,
        batchSize: positiveInt,
        learningRate: z.number().positive().describe('Adam learning rate (7e-5 in the paper).'),
        augment: z.boolean(),
      })
      .describe('Training of models listed with `train`.'),
    randomization: z
      .strictObject({ initializer: z.enum(initializers).describe('Re-initialisation of randomized blocks (keras = Glorot uniform, zero bias, BN identity).') })
      .describe('Cascading randomization from the logits down, block by block.'),
  })
  .describe('Classifiers, localization baselines, training and randomization.');

const smoothShape = {
  samples: positiveInt.describe('Noisy copies per image (25).'),
  noiseFraction: z.number().min(0).describe('Noise SD as a fraction of the image range (0.15).'),
  magnitude: z.boolean().describe('Average squared maps (PAIR and the paper).'),
};
const igShape = {
  steps: positiveInt.describe('Path points (10 in the paper).'),
  baseline: z.union([z.enum(['black', 'zero']), z.number()]).describe('black = the image minimum (-1), zero, or a constant.'),
  rule: z.enum(integrationRules).describe('Quadrature; pair = linspace(0, 1, steps), equal weights (PAIR).'),
};
const camShape = {
  layer: z.string().min(1).nullable().describe('Grad-CAM layer; null = the model card\'s default (the last block).'),
  upsample: z.enum(upsamples),
};
const methodOptionsSchema = z
  .strictObject({
    gradient: z.strictObject({}),
    smoothgrad: z.strictObject(smoothShape),
    'integrated-gradients': z.strictObject(igShape),
    'smooth-ig': z.strictObject({ ...igShape, ...smoothShape }),
    'grad-cam': z.strictObject(camShape),
    'guided-backprop': z.strictObject({}),
    'guided-grad-cam': z.strictObject(camShape),
    xrai: z.strictObject({
      steps: positiveInt.describe('IG steps per baseline (100).'),
      baselines: z.union([z.literal('min-max'), z.array(z.number()).min(1)]),
      scales: z.array(z.number().positive()).min(1).describe('Felzenszwalb scales.'),
      sigma: z.number().min(0),
      minSize: positiveInt,
      resizeTo: positiveInt.nullable(),
      dilationRadius: z.number().int().min(0),
      areaThreshold: z.number().gt(0).max(1),
      minPixelDiff: z.number().int().min(0),
    }),
  })
  .describe('Per-method options, keyed by method id.');

const saliencySchema = z
  .strictObject({
    methods: z.array(z.enum(configMethodIds)).min(1).describe('Methods to audit.'),
    options: methodOptionsSchema,
    target: z.enum(['predicted', 'label']).describe('Class explained: predicted (the paper; a missed positive is explained for "negative") or label (the positive class).'),
    commonRandomNumbers: z.boolean().describe('The same noise for the same image under every model (SmoothGrad, Smooth IG).'),
    postprocess: z
      .strictObject({
        sign: z.enum(signs),
        channels: z.enum(reduces),
        clipPercentile: z.number().gt(0).max(100).nullable().describe('Upper percentile of the clip-and-scale step (99); null skips it.'),
        minMax: z.boolean(),
        degenerate: z.enum(degeneratePolicies).describe('A constant map becomes NaN (the paper; excluded and counted) or zeros.'),
      })
      .describe('Raw map to final map: abs, channel sum, 99th-percentile clip, min-max (the paper).'),
    batchSize: positiveInt.describe('Most inputs per model call.'),
  })
  .describe('Saliency methods and how maps are made.');

const engineSchema = z
  .strictObject({
    threads: z.number().int().min(1).nullable().describe('onnxruntime threads of every model run and training step (null = all cores).'),
    lanes: z
      .number()
      .int()
      .min(1)
      .nullable()
      .describe(
        'Worker lanes that run the sub-batches of a model call side by side, each with its own copy of the session (null = 2 when threads >= 2, else 1; at most threads). 2 ran the DenseNet121 input gradient about 1.2x and InceptionV3 1.1x faster than 1, at up to 1.5x the peak memory (docs/engine.md).',
      ),
  })
  .describe('How the models run: speed and memory only. Lanes do not change results (tested); these settings are not inputs of the cached steps, so a resumed run reuses finished steps whatever they are.');

const imagesSchema = z
  .strictObject({
    count: z.union([positiveInt, z.literal('all')]).describe('Positive test images to explain, or all.'),
    selection: z.enum(selections).describe('arun2021 = Python random.seed(seed) + random.shuffle of the positive test images, first count (the paper); seeded = heatcheck\'s generator; first.'),
    seed: seed.describe('Seed of the selection (1 in the paper).'),
  })
  .describe('Which ground-truth-positive test images are explained and scored.');

const statisticsSchema = z
  .strictObject({
    alpha: z.number().gt(0).lt(1).describe('Significance level after correction (0.005 in the paper).'),
    test: z.enum(tests).describe('wilcoxon (signed-rank) or t (paired / one-sample t-test).'),
    correction: z.enum(corrections).describe('Across methods.'),
    confidence: z.number().gt(0).lt(1).describe('Bootstrap interval confidence.'),
    resamples: z.number().int().min(100).describe('Bootstrap resamples.'),
  })
  .describe('Tests, correction and intervals.');

const criteriaSchema = z
  .strictObject({
    ssim: z
      .strictObject({
        dataRange: z.number().positive().describe('Required. 2 reproduces the paper (scikit-image\'s float default) for maps in [0, 1]; 1 is their true range.'),
        localizationDataRange: z.number().positive().describe('Data range for the localization networks\' maps in [0, 1] (the paper: 255 on uint8 U-Net PNGs, i.e. 1).'),
        window: z.enum(windows),
        winSize: z.number().int().min(3).refine((v) => v % 2 === 1, 'must be odd'),
        sigma: z.number().positive(),
        truncate: z.number().positive(),
        sampleCovariance: z.boolean(),
        k1: z.number().positive(),
        k2: z.number().positive(),
      })
      .describe('SSIM settings of every map comparison.'),
    utility: z
      .strictObject({
        rule: z.enum(utilityRules).describe('mean-at-least: mean AUPRC >= the network\'s (the paper\'s reading); not-significantly-worse: the network is not significantly better.'),
        replicates: z.enum(['first', 'mean']).describe('Trained maps scored: the first replicate (the paper) or the per-image mean over replicates.'),
        binarize: z
          .strictObject({ method: z.enum(['otsu', 'top-percent', 'fixed']), percent: z.number().gt(0).max(100).optional(), threshold: z.number().optional(), bins: z.number().int().min(2).optional() })
          .describe('Map to mask before IoU and Dice.'),
        hitTies: z.enum(hitTies).describe('Hit rate under tied maxima.'),
      })
      .describe('Localization utility.'),
    randomization: z
      .strictObject({
        baseline: z
          .strictObject({
            scheme: z.enum(baselineSchemes).describe('arun2021 = N x pairsPerImage pairs, randint(0, N-1) exclusive end, first replicate; uniform = pairs over all images.'),
            pairsPerImage: positiveInt,
            pairs: positiveInt.describe('Total pairs of the uniform scheme.'),
            replicates: z.enum(['first', 'all']),
          })
          .describe('Randomization baseline sampling.'),
        rule: z.enum(randomizationRules).describe('paper: the mean curve drops below the baseline at some state; test: one-sided one-sample test; both.'),
        replicateSd: z.enum(['population', 'sample']).describe('SD of the curve over replicates (population = np.std, the paper).'),
        testState: z.string().min(1).nullable().describe('State tested against the baseline; null = the last (fully randomized).'),
      })
      .describe('Sensitivity to cascading weight randomization.'),
    consistency: z
      .strictObject({
        rule: z.enum(consistencyRules).describe('weak = significantly above threshold; strong = not significantly below the localization network; both.'),
        threshold: z.number().min(-1).max(1).describe('Weak-rule reference SSIM (0.5).'),
      })
      .describe('Repeatability and reproducibility.'),
    statistics: statisticsSchema,
  })
  .describe('How the four criteria are scored and decided.');

/** The fully resolved audit configuration (every option present). */
export const auditConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors (ignored).'),
    preset: z.enum(presetNames).describe('The preset this config starts from.'),
    seed: seed.describe('Master seed: noise, splits, training, bootstrap; derived per use.'),
    output: z.strictObject({ dir: path.describe('Run folder.'), writeMaps: z.boolean().describe('Write final maps as PNG under maps/.') }),
    dataset: datasetSchema,
    models: modelsSchema,
    saliency: saliencySchema,
    images: imagesSchema,
    criteria: criteriaSchema,
    engine: engineSchema,
  })
  .describe('A heatcheck audit configuration.');

/** The fully resolved audit configuration. */
export type AuditConfig = z.infer<typeof auditConfigSchema>;

/** Makes every object field optional, recursively (arrays and unions are replaced whole, so they stay complete). */
function deepPartial(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodOptional) return deepPartial(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, value] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const inner = deepPartial(value);
      shape[key] = inner instanceof z.ZodOptional ? inner : inner.optional();
    }
    const partial = z.strictObject(shape);
    return schema.description ? partial.describe(schema.description) : partial;
  }
  return schema;
}

/** A value whose object fields are all optional, recursively (arrays stay whole). */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** A config file or preset: the audit config with every object field optional. */
export type ConfigFile = DeepPartial<AuditConfig>;

/** What a config file may hold (object fields optional; merged over a preset, then checked in full). */
export const configFileSchema = deepPartial(auditConfigSchema) as z.ZodType<ConfigFile>;
