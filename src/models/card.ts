/**
 * The model card: the JSON that travels with a model's .onnx file and says everything heatcheck needs to
 * use it (input size and preprocessing, classes and the positive one, the Grad-CAM layer, the ordered
 * randomization blocks with the initializers each owns) and how it was made (architecture, initialiser,
 * seed, training configuration, metrics). `contentHash` is the stable hash of the card without it, and
 * `modelSha256` pins the .onnx bytes.
 */
import { z } from 'zod';
import { hashBytes, stableHash } from '../core/hash.js';
import { backboneParameterCount, parameterCount, type BuiltModel, type Preprocessing } from './architecture.js';
import { modelErrors } from './messages.js';

const preprocessingSchema = z.object({
  channels: z.number().int().positive(),
  normalization: z.enum(['minus-one-one', 'imagenet']),
  mean: z.array(z.number()).optional(),
  std: z.array(z.number()).optional(),
});

const blockSchema = z.object({ name: z.string().min(1), output: z.string().optional(), initializers: z.array(z.string()) });

/** The card's schema (validated when a user's card is read). */
export const modelCardSchema = z.object({
  format: z.literal('heatcheck-model-card/1'),
  name: z.string(),
  architecture: z.string(),
  task: z.enum(['classification', 'segmentation', 'detection']),
  input: z.object({ name: z.string(), size: z.tuple([z.number().int().positive(), z.number().int().positive()]), preprocessing: preprocessingSchema }),
  output: z.object({ name: z.string(), trainOutput: z.string().optional() }),
  classes: z.array(z.string()),
  positiveClass: z.number().int().nonnegative(),
  gradCamLayer: z.string().optional(),
  randomization: z.object({ blocks: z.array(blockSchema) }),
  initializer: z.enum(['keras', 'he']).optional(),
  seed: z.number().int().optional(),
  parameters: z.object({ total: z.number().int(), withoutHead: z.number().int() }).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  modelSha256: z.string().optional(),
  contentHash: z.string().optional(),
});

/** A model card. */
export type ModelCard = z.infer<typeof modelCardSchema>;

/** Extra facts for `createModelCard`. */
export interface CardOptions {
  readonly name?: string;
  /** Class names, index = logit (default ["negative", "positive"]). */
  readonly classes?: readonly string[];
  readonly positiveClass?: number;
  readonly training?: Record<string, unknown>;
  readonly metrics?: Record<string, unknown>;
  /** The .onnx bytes the card travels with. */
  readonly modelBytes?: Uint8Array;
}

/** Makes the card of a built (or trained) model, with its content hash. */
export function createModelCard(built: BuiltModel, options: CardOptions = {}): ModelCard {
  const card: ModelCard = {
    format: 'heatcheck-model-card/1',
    name: options.name ?? built.architecture,
    architecture: built.architecture,
    task: built.task,
    input: { name: built.inputName, size: [built.inputSize[0], built.inputSize[1]], preprocessing: copyPreprocessing(built.preprocessing) },
    output: { name: built.outputName, ...(built.trainOutput !== built.outputName ? { trainOutput: built.trainOutput } : {}) },
    classes: [...(options.classes ?? (built.task === 'segmentation' ? ['lesion'] : ['negative', 'positive']))],
    positiveClass: options.positiveClass ?? (built.task === 'segmentation' ? 0 : 1),
    ...(built.camLayer ? { gradCamLayer: built.camLayer } : {}),
    randomization: { blocks: built.blocks.map((b) => ({ name: b.name, ...(b.output ? { output: b.output } : {}), initializers: [...b.initializers] })) },
    initializer: built.initializer,
    seed: built.seed,
    parameters: { total: parameterCount(built.parameters), withoutHead: backboneParameterCount(built) },
    settings: { ...built.settings },
    ...(options.training ? { training: options.training } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.modelBytes ? { modelSha256: hashBytes(options.modelBytes) } : {}),
  };
  return { ...card, contentHash: cardHash(card) };
}

function copyPreprocessing(p: Preprocessing): ModelCard['input']['preprocessing'] {
  return { channels: p.channels, normalization: p.normalization, ...(p.mean ? { mean: [...p.mean] } : {}), ...(p.std ? { std: [...p.std] } : {}) };
}

/** Stable hash of a card's content (everything but `contentHash`). */
export function cardHash(card: ModelCard): string {
  const { contentHash: _ignored, ...rest } = card;
  return stableHash(rest);
}

/** Validates a parsed JSON value as a model card; throws `UsageError` naming the first problem. */
export function parseModelCard(value: unknown): ModelCard {
  const result = modelCardSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw modelErrors.badCard(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}
