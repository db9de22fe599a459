/**
 * Every error the models layer raises, built in one place (style rule 9). Tests assert on `code`.
 */
import { ModelError, UsageError } from '../core/errors.js';

const blockHint =
  'give the blocks in the model card: "randomization": {"blocks": [{"name": "block4", "initializers": ["conv9.weight", ...]}, ...]} ' +
  'listed from the top (output side) down; see docs/models.md';

/** Messages for the models layer's errors. */
export const modelErrors = {
  unknownArchitecture(name: string, known: readonly string[]): UsageError {
    return new UsageError('model-unknown-architecture', `unknown architecture "${name}"; expected one of ${known.join(', ')}`);
  },
  inputTooSmall(architecture: string, size: number, minimum: number): UsageError {
    return new UsageError('model-input-too-small', `${architecture} needs an input of at least ${minimum}x${minimum} pixels, got ${size}`);
  },
  inputNotMultiple(architecture: string, size: number, stride: number): UsageError {
    return new UsageError('model-input-size', `${architecture} needs an input size that is a multiple of ${stride} (its output stride), got ${size}`, {
      hint: `use --input-size (or dataset.imageSize) ${Math.max(stride, Math.round(size / stride) * stride)}`,
    });
  },
  badOption(option: string, value: unknown, expected: string): UsageError {
    return new UsageError('model-option', `option ${option} is ${JSON.stringify(value)}; expected ${expected}`);
  },
  internal(what: string): ModelError {
    return new ModelError('model-internal', `internal error while building a model: ${what}`);
  },
  blocksNotDetected(source: string): ModelError {
    return new ModelError(
      'model-blocks-unknown',
      `${source}: cannot tell its randomization blocks (not a heatcheck, torchvision InceptionV3/DenseNet/ResNet or Keras InceptionV3/DenseNet export)`,
      {},
      { hint: blockHint },
    );
  },
  unknownBlockInitializer(block: string, name: string): ModelError {
    return new ModelError('model-block-initializer', `randomization block "${block}" names initializer "${name}", which the model does not have`, {}, { hint: blockHint });
  },
  unknownBlock(name: string, known: readonly string[]): UsageError {
    return new UsageError('model-unknown-block', `unknown randomization block "${name}"; the model has ${known.join(', ')}`);
  },
  pretrainedMismatch(name: string, expected: readonly number[], got: readonly number[] | undefined): ModelError {
    return new ModelError(
      'model-pretrained-mismatch',
      `pretrained weights: initializer "${name}" has dims [${got ? got.join(', ') : 'missing'}], the architecture needs [${expected.join(', ')}]`,
      {},
      { hint: 'pass an ONNX file exported from the same architecture by heatcheck (or with the same initializer names)' },
    );
  },
  badCard(problem: string): UsageError {
    return new UsageError('model-card-invalid', `invalid model card: ${problem}`, { hint: 'see docs/models.md for the model card format' });
  },
  badCheckpoint(problem: string): UsageError {
    return new UsageError('model-checkpoint-invalid', `cannot read the training checkpoint: ${problem}`, {
      hint: 'delete the checkpoint to start over, or point --resume at a checkpoint written by heatcheck train',
    });
  },
  wrongTask(architecture: string, task: string, needed: string): UsageError {
    return new UsageError('model-wrong-task', `${architecture} is a ${task} model; this needs a ${needed} model`);
  },
  emptyData(split: string): UsageError {
    return new UsageError('model-no-data', `no ${split} samples to train on`, { hint: 'check the dataset splits' });
  },
  singleClass(split: string): UsageError {
    return new UsageError('model-single-class', `the ${split} split has only one class, so ROC-AUC is undefined`, {
      hint: 'use a dataset (or split) with both positive and negative images',
    });
  },
};
