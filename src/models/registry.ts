/**
 * The architectures heatcheck builds, as a frozen table from id to builder and facts (style: a frozen
 * registry, one row per architecture).
 */
import type { ArchitectureId, BuildOptions, BuiltModel } from './architecture.js';
import { buildDenseNet121 } from './architectures/densenet121.js';
import { buildInceptionV3 } from './architectures/inception-v3.js';
import { buildRetinaNet } from './architectures/retinanet.js';
import { buildSmallCnn } from './architectures/small-cnn.js';
import { buildSmallResNet } from './architectures/small-resnet.js';
import { buildUnet } from './architectures/unet.js';
import { modelErrors } from './messages.js';

/** One registry row. */
export interface ArchitectureInfo {
  readonly id: ArchitectureId;
  readonly title: string;
  readonly task: BuiltModel['task'];
  readonly defaultInputSize: number;
  readonly build: (options: BuildOptions) => BuiltModel;
}

/** Every architecture heatcheck builds. */
export const architectures: Readonly<Record<ArchitectureId, ArchitectureInfo>> = Object.freeze({
  inceptionv3: { id: 'inceptionv3', title: 'InceptionV3 (Keras layout)', task: 'classification', defaultInputSize: 320, build: buildInceptionV3 },
  densenet121: { id: 'densenet121', title: 'DenseNet121 (Keras layout)', task: 'classification', defaultInputSize: 320, build: buildDenseNet121 },
  'small-cnn': { id: 'small-cnn', title: 'small CNN (tests and demo)', task: 'classification', defaultInputSize: 128, build: buildSmallCnn },
  'small-resnet': { id: 'small-resnet', title: 'small ResNet (the demo\'s second architecture)', task: 'classification', defaultInputSize: 128, build: buildSmallResNet },
  unet: { id: 'unet', title: 'U-Net (segmentation baseline)', task: 'segmentation', defaultInputSize: 128, build: buildUnet },
  retinanet: { id: 'retinanet', title: 'RetinaNet (detection baseline)', task: 'detection', defaultInputSize: 128, build: buildRetinaNet },
});

/** Looks up an architecture by id (case-insensitive, `inception_v3` and `inception-v3` accepted); `UsageError` when unknown. */
export function architectureInfo(name: string): ArchitectureInfo {
  const key = name.toLowerCase().replace(/[_-]/g, '');
  const hit = Object.values(architectures).find((a) => a.id.replace(/-/g, '') === key);
  if (!hit) throw modelErrors.unknownArchitecture(name, Object.keys(architectures));
  return hit;
}

/** Builds an architecture by id. */
export function buildArchitecture(name: string, options: BuildOptions = {}): BuiltModel {
  return architectureInfo(name).build(options);
}
