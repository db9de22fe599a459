/**
 * The models layer: heatcheck's architectures built as ONNX graphs (InceptionV3, DenseNet121, a small
 * CNN, a small ResNet, U-Net, RetinaNet), model cards, seeded training with weight gradients from
 * generated backward graphs, evaluation scores, and cascading / independent weight randomization by block.
 */
export type { ArchitectureId, BuildOptions, BuiltModel, ModelSource, ModelTask, Preprocessing, RandomizationBlock } from './architecture.js';
export { backboneParameterCount, parameterCount } from './architecture.js';
export { buildInceptionV3, INCEPTION_V3_MIN_SIZE } from './architectures/inception-v3.js';
export { buildDenseNet121, DENSENET121_MIN_SIZE } from './architectures/densenet121.js';
export { buildSmallCnn, SMALL_CNN_MIN_SIZE, type SmallCnnOptions } from './architectures/small-cnn.js';
export { buildSmallResNet, SMALL_RESNET_STRIDE, type SmallResNetOptions } from './architectures/small-resnet.js';
export { buildUnet, type UnetOptions } from './architectures/unet.js';
export { buildRetinaNet, retinaAnchors, type RetinaNetOptions } from './architectures/retinanet.js';
export { architectureInfo, architectures, buildArchitecture, type ArchitectureInfo } from './registry.js';
export { initializerFor, type InitializerKind, type ParameterRecord } from './net-builder.js';
export { cardHash, createModelCard, modelCardSchema, parseModelCard, type CardOptions, type ModelCard } from './card.js';
export { describeBuilt, describeOnnx, exportableModel, type LayerDescription, type ModelDescription } from './describe.js';
export { BLOCKS_METADATA_KEY, detectBlocks, type DetectedBlocks } from './block-detection.js';
export { importModel, parameterRecordsOf, untieSharedParameters, type ImportOptions } from './imported.js';
export { loadPretrained } from './pretrained.js';
export { randomizationStates, reinitialize, type RandomizationOptions, type RandomizationState } from './randomization.js';
export { boxIou, diceScore, meanAveragePrecision, rocAucScore } from './evaluation.js';
export { anchorsPerCell, generateAnchors, type AnchorConfig } from './detection/anchors.js';
export { clipBox, decodeBox, encodeBox, generalizedIou, giouLoss, nonMaxSuppression } from './detection/boxes.js';
export { anchorsOf, assignAnchors, decodeDetections, detect, detectionTask, lossNormalizer, type DecodeOptions, type DetectionLossOptions } from './detection/task.js';
export { augmentSample, defaultAugment, type AugmentOptions } from './training/augment.js';
export { decodeCheckpoint, encodeCheckpoint, type EpochRecord, type TrainingCheckpoint } from './training/checkpoint.js';
export { diceBceLoss, focalLoss, sigmoidCrossEntropy, slicedLoss, smoothL1Loss, softmaxCrossEntropy, type LossFunction } from './training/losses.js';
export { createOptimizer, type Optimizer, type OptimizerConfig, type OptimizerState } from './training/optimizers.js';
export { TrainingRunner, withParameters, type GradientPass, type TrainingRunnerOptions } from './training/runner.js';
export { arraySource, toInput, type SampleSource, type TrainingSample } from './training/samples.js';
export { classificationTask, predictPositive, segmentationDice, segmentationTask, taskFor, type ClassifierLoss, type TrainingTask } from './training/tasks.js';
export { epochOrder, resolveTrainingConfig, trainModel, type TrainingConfig, type TrainOptions, type TrainResult } from './training/train.js';
export { buildTrainingGraph, isTrainable, parametersAsInputs, type TrainingGraph } from './training/training-graph.js';
export { modelErrors } from './messages.js';
