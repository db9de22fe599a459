/**
 * Message catalogue of the saliency layer: every error a method raises is built here, and tests assert
 * on the stable codes in `saliencyErrorCodes`.
 */
import { ModelError, UsageError } from '../core/errors.js';

/** Stable codes of the errors saliency methods raise. */
export const saliencyErrorCodes = {
  badOption: 'saliency-bad-option',
  unknownOption: 'saliency-unknown-option',
  badTarget: 'saliency-bad-target',
  badBatch: 'saliency-bad-batch',
  noCamLayer: 'saliency-no-cam-layer',
  badModelOutput: 'saliency-bad-model-output',
  unknownMethod: 'saliency-unknown-method',
} as const;

/** Builds the errors of the saliency layer; each message says what was expected and what to do. */
export const saliencyErrors = {
  badOption(method: string, option: string, value: unknown, expected: string): UsageError {
    return new UsageError(saliencyErrorCodes.badOption, `${method}: option ${option} is ${describe(value)}; expected ${expected}`);
  },
  unknownOption(method: string, option: string, known: readonly string[]): UsageError {
    return new UsageError(saliencyErrorCodes.unknownOption, `${method}: unknown option "${option}"`, {
      hint: `known options: ${known.join(', ')}`,
    });
  },
  badTarget(method: string, detail: string, classes: number): UsageError {
    return new UsageError(saliencyErrorCodes.badTarget, `${method}: bad target: ${detail}`, {
      hint: `use "predicted", one class index in [0, ${classes}), or one index per image`,
    });
  },
  badBatch(method: string, shape: readonly number[], expected: readonly number[]): UsageError {
    return new UsageError(saliencyErrorCodes.badBatch, `${method}: batch of shape [${shape.join(', ')}] does not fit the model's input [N, ${expected.join(', ')}]`, {
      hint: 'resize the images to the model input size first (imaging/resize)',
    });
  },
  noCamLayer(method: string, model: string, layers: readonly string[]): UsageError {
    return new UsageError(saliencyErrorCodes.noCamLayer, `${method}: model ${model} has no default Grad-CAM layer`, {
      hint: layers.length ? `pass options.layer, one of: ${layers.slice(-8).join(', ')}` : 'the model exposes no 4-D activations to use',
    });
  },
  unknownLayer(method: string, layer: string, layers: readonly string[]): UsageError {
    return new UsageError(saliencyErrorCodes.noCamLayer, `${method}: layer "${layer}" is not a 4-D activation of the model`, {
      hint: layers.length ? `use one of: ${layers.slice(-8).join(', ')}` : 'the model exposes no 4-D activations to use',
    });
  },
  badModelOutput(method: string, what: string, shape: readonly number[], expected: readonly number[]): ModelError {
    return new ModelError(saliencyErrorCodes.badModelOutput, `${method}: the model returned ${what} of shape [${shape.join(', ')}], expected [${expected.join(', ')}]`, {}, {
      hint: 'the ExplainableModel implementation is inconsistent with its info; check the engine adapter',
    });
  },
  unknownMethod(id: string, known: readonly string[]): UsageError {
    return new UsageError(saliencyErrorCodes.unknownMethod, `unknown saliency method "${id}"; expected one of ${known.join(', ')}`);
  },
};

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
