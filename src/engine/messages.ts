/**
 * Every error the engine raises, built in one place (style rule 9). Tests assert on `code` and the
 * structured fields; the wording lives only here.
 */
import { ModelError, UsageError } from '../core/errors.js';
import type { Dim } from '../graph/ir.js';

const exportHint = 'export the classifier with torch.onnx.export or tf2onnx (see docs/engine.md)';

function dims(shape: readonly Dim[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : 'unknown shape';
}

/** Messages for the engine's errors. */
export const engineErrors = {
  unreadableFile(path: string, cause: unknown): ModelError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ModelError('model-unreadable', `cannot read model file ${path} (${reason})`, {}, {
      hint: 'check the path and permissions, or pass the model bytes directly',
      cause,
    });
  },
  noImageInput(source: string, count: number): ModelError {
    return new ModelError('model-input-count', `${source} has ${count} graph inputs; heatcheck needs exactly one image input`, {}, {
      hint: 'export the classifier with a single NCHW image input',
    });
  },
  inputNotImage(source: string, name: string, shape: readonly Dim[] | undefined, elemType: number | undefined): ModelError {
    return new ModelError(
      'model-input-not-image',
      `${source}: input "${name}" is ${dims(shape)} of element type ${elemType ?? 'unknown'}; heatcheck needs a 4-D float32 image input [N, C, H, W]`,
      {},
      { hint: exportHint },
    );
  },
  inputChannelsLast(source: string, name: string, shape: readonly Dim[]): ModelError {
    return new ModelError(
      'model-input-nhwc',
      `${source}: input "${name}" is ${dims(shape)}, which looks channels-last (NHWC); heatcheck needs NCHW`,
      {},
      { hint: `re-export with tf2onnx --inputs-as-nchw ${name}` },
    );
  },
  dynamicChannels(source: string, name: string, shape: readonly Dim[]): ModelError {
    return new ModelError('model-input-channels', `${source}: input "${name}" is ${dims(shape)}; the channel count must be fixed`, {}, {
      hint: exportHint,
    });
  },
  dynamicSpatial(source: string, name: string, shape: readonly Dim[]): ModelError {
    return new ModelError(
      'model-input-size-needed',
      `${source}: input "${name}" has dynamic spatial size ${dims(shape)}; heatcheck needs an image size to build its graphs`,
      {},
      { hint: 'pass { inputSize: [height, width] } to loadOnnxModel' },
    );
  },
  inputSizeMismatch(source: string, name: string, shape: readonly Dim[], size: readonly [number, number]): ModelError {
    return new ModelError(
      'model-input-size-mismatch',
      `${source}: input "${name}" is fixed at ${dims(shape)} but an image size of ${size[0]}x${size[1]} was asked for`,
      {},
      { hint: 're-export the model with dynamic height and width (torch.onnx.export dynamic_axes) or use its own size' },
    );
  },
  unknownOutput(source: string, name: string, available: readonly string[]): ModelError {
    return new ModelError('model-output-unknown', `${source} has no output "${name}"; outputs are ${available.join(', ')}`, {}, {
      hint: 'pass one of the listed names as { output }',
    });
  },
  outputNotLogits(source: string, name: string, shape: readonly Dim[] | undefined): ModelError {
    return new ModelError('model-output-not-logits', `${source}: output "${name}" is ${dims(shape)}; heatcheck needs logits [N, classes]`, {}, {
      hint: 'export the classifier head without extra outputs, or choose the logits with { output }',
    });
  },
  shapeProbeFailed(source: string, size: readonly [number, number], cause: unknown): ModelError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ModelError('model-forward-failed', `${source}: running the model at ${size[0]}x${size[1]} failed (${reason})`, {}, {
      hint: 'check that onnxruntime can run the model at this image size',
      cause,
    });
  },
  sessionFailed(source: string, variant: string, cause: unknown): ModelError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ModelError('model-session-failed', `${source}: onnxruntime could not build the ${variant} graph (${reason})`, {}, {
      hint: 'this is a heatcheck bug if the forward model runs; please report it with the model',
      cause,
    });
  },
  runFailed(source: string, variant: string, cause: unknown): ModelError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ModelError('model-run-failed', `${source}: onnxruntime failed running the ${variant} graph (${reason})`, {}, { cause });
  },
  unknownLayer(name: string, suggestions: readonly string[]): ModelError {
    const near = suggestions.length ? `; similar layers: ${suggestions.join(', ')}` : '';
    return new ModelError('model-layer-unknown', `no 4-D activation named "${name}"${near}`, {}, {
      hint: 'pick a name from model.info.layers, a node name, or a block name such as "layer4" or "mixed1"',
    });
  },
  disposed(source: string): UsageError {
    return new UsageError('model-disposed', `${source} was disposed; load it again to use it`);
  },
  batchChannels(expected: number, got: number): UsageError {
    return new UsageError('batch-channels', `the model takes ${expected}-channel images but the batch has ${got} channels`, {
      hint: 'tile grayscale images to the channel count with imaging/ before calling the model',
    });
  },
  batchSize(expected: readonly [number, number], got: readonly [number, number]): UsageError {
    return new UsageError(
      'batch-image-size',
      `the model takes ${expected[0]}x${expected[1]} images but the batch is ${got[0]}x${got[1]}`,
      { hint: 'resize the images with imaging/ to the model input size (model.info.inputShape)' },
    );
  },
  batchShape(shape: readonly number[], dataLength: number): UsageError {
    const need = shape.reduce((a, b) => a * b, 1);
    return new UsageError('batch-shape', `batch data has ${dataLength} values but shape [${shape.join(', ')}] needs ${need}`);
  },
  targetsLength(rows: number, got: number): UsageError {
    return new UsageError('targets-length', `targets has ${got} entries but the batch has ${rows} rows; give one class index per row`);
  },
  targetValue(row: number, value: number, classes: number): UsageError {
    return new UsageError('targets-value', `targets[${row}] = ${value} is not a class index in [0, ${classes})`, {
      hint: 'targets are integer class indices, one per batch row',
    });
  },
  noLayers(): UsageError {
    return new UsageError('layers-empty', 'layerGradients needs at least one layer name', {
      hint: 'pass e.g. [model.info.defaultCamLayer]',
    });
  },
  badOption(name: string, value: unknown, expected: string): UsageError {
    return new UsageError('engine-option', `option ${name} = ${JSON.stringify(value)} is invalid; expected ${expected}`);
  },
  noWeights(source: string): ModelError {
    return new ModelError('model-no-weights', `${source} has no float weights to differentiate`);
  },
};
