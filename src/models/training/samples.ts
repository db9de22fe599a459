/**
 * Training samples as the trainer sees them: a grayscale image in [0, 1] already at the model's input
 * size, with its label, mask or boxes. The jobs layer produces them from datasets; the trainer turns
 * batches of them into network inputs (channel replication and normalisation of the model card).
 */
import type { Box } from '../../core/types.js';
import type { TensorValue } from '../../engine/training-session.js';
import type { Preprocessing } from '../architecture.js';

/** One training or evaluation sample at the model's input size. */
export interface TrainingSample {
  /** Grayscale pixels in [0, 1], row-major, `height * width`. */
  readonly pixels: Float32Array;
  readonly width: number;
  readonly height: number;
  /** 1 = disease present. */
  readonly label: 0 | 1;
  /** Lesion mask (segmentation), row-major, 1 = lesion. */
  readonly mask?: Uint8Array;
  /** Lesion boxes in pixels of this image (detection). */
  readonly boxes?: readonly Box[];
}

/** Samples loaded on demand, so a large dataset need not sit in memory. */
export interface SampleSource {
  readonly length: number;
  /** Labels of every sample, known without loading pixels (for class balancing and AUC). */
  readonly labels: readonly (0 | 1)[];
  load(index: number): Promise<TrainingSample> | TrainingSample;
}

/** A source over samples held in memory. */
export function arraySource(samples: readonly TrainingSample[]): SampleSource {
  return { length: samples.length, labels: samples.map((s) => s.label), load: (i) => samples[i]! };
}

/** Stacks grayscale samples into an NCHW network input: replicated to the channels, then normalised. */
export function toInput(samples: readonly Pick<TrainingSample, 'pixels' | 'width' | 'height'>[], preprocessing: Preprocessing): TensorValue {
  const first = samples[0]!;
  const { width, height } = first;
  const c = preprocessing.channels;
  const plane = width * height;
  const data = new Float32Array(samples.length * c * plane);
  samples.forEach((s, n) => {
    for (let ch = 0; ch < c; ch++) {
      const offset = (n * c + ch) * plane;
      if (preprocessing.normalization === 'imagenet') {
        const mean = preprocessing.mean?.[ch] ?? 0.485;
        const std = preprocessing.std?.[ch] ?? 0.229;
        for (let i = 0; i < plane; i++) data[offset + i] = (s.pixels[i]! - mean) / std;
      } else {
        for (let i = 0; i < plane; i++) data[offset + i] = s.pixels[i]! * 2 - 1;
      }
    }
  });
  return { data, dims: [samples.length, c, height, width] };
}
