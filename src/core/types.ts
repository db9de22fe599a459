/**
 * Domain types shared by every layer: canonical images, ground truth, saliency maps and the model
 * interface that saliency methods see. Pure data; no behaviour beyond tiny constructors elsewhere.
 */
import type { Batch, Logits, TargetRequest } from './batch.js';

/**
 * The canonical image every reader produces: float pixels in [0, 1], display orientation
 * (bright = dense; MONOCHROME1 already inverted, rescale and windowing applied), row-major.
 */
export interface XrayImage {
  readonly pixels: Float32Array;
  readonly width: number;
  readonly height: number;
  /** Where it came from (path or a generator id). */
  readonly source: string;
  /** A de-identified subset of source attributes (no names, IDs or dates unless asked for). */
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
  /** Things the reader noticed and handled (e.g. "first frame of 3 used"). */
  readonly warnings: readonly string[];
}

/** A binary ground-truth mask, row-major, 1 = positive. */
export interface Mask {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** An axis-aligned box in pixel coordinates of a stated image size: top-left (x, y), width, height. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Detection confidence, for boxes predicted by a localization network. */
  readonly score?: number;
}

/** Ground truth of one image: a mask (segmentation data) or boxes (detection data) at a stated size. */
export type GroundTruth =
  | { readonly kind: 'mask'; readonly mask: Mask }
  | { readonly kind: 'boxes'; readonly boxes: readonly Box[]; readonly width: number; readonly height: number }
  | { readonly kind: 'none' };

/** One step of map post-processing, recorded on every map so no report guesses how it was made. */
export interface ProcessingStep {
  readonly op: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** A 2-D map (row-major float32) with its size. */
export interface Map2D {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

/** What a saliency method returns for one image. */
export interface SaliencyMap {
  /** Method id from the registry, e.g. `integrated-gradients`. */
  readonly method: string;
  /** The raw attribution, CHW (or 1HW for 2-D methods), before post-processing. */
  readonly raw: Batch;
  /** The final post-processed 2-D map in [0, 1] (NaN-free unless `degenerate`). */
  readonly final: Map2D;
  /** The class index explained. */
  readonly target: number;
  /** True when the map was constant before min-max (e.g. an all-zero Grad-CAM). */
  readonly degenerate: boolean;
  readonly steps: readonly ProcessingStep[];
  /** Every resolved option, defaults included. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly seed: number | undefined;
  readonly milliseconds: number;
}

/** Result of an input-gradient pass. */
export interface GradientResult {
  readonly logits: Logits;
  /** d(target logit)/d(input), same shape as the input batch. */
  readonly gradients: Batch;
  /** The class explained per row; always present when `'predicted'` was asked. */
  readonly targets?: Int32Array;
}

/** Result of a layer-gradient pass (Grad-CAM and friends). */
export interface LayerGradientResult {
  readonly logits: Logits;
  readonly activations: Readonly<Record<string, Batch>>;
  readonly gradients: Readonly<Record<string, Batch>>;
  /** d(target logit)/d(input), present when asked for with `inputGradient` (a model may also omit it). */
  readonly inputGradients?: Batch;
  /** The class explained per row; always present when `'predicted'` was asked. */
  readonly targets?: Int32Array;
}

/** Options of a layer-gradient pass. */
export interface LayerGradientOptions {
  /** Also return the input gradient from the same pass (one forward and backward instead of two). */
  readonly inputGradient?: boolean;
}

/** A 4-D activation a method may ask for, with its per-item shape (C, H, W) at the model's input size. */
export interface LayerInfo {
  readonly name: string;
  readonly shape: readonly [c: number, h: number, w: number];
}

/** Static facts about a model that methods and criteria need. */
export interface ModelInfo {
  readonly name: string;
  /** Per-item input shape (C, H, W). */
  readonly inputShape: readonly [c: number, h: number, w: number];
  readonly numClasses: number;
  /** Candidate layers for Grad-CAM (4-D activations), in graph order. */
  readonly layers: readonly LayerInfo[];
  /** The default Grad-CAM layer (the last spatial block) and why it was chosen. */
  readonly defaultCamLayer: string | undefined;
}

/**
 * What saliency methods see of a model: four batched passes on NCHW float32 data. Implemented by the
 * engine on onnxruntime, and by tiny analytic doubles in tests.
 */
export interface ExplainableModel {
  readonly info: ModelInfo;
  predict(batch: Batch): Promise<Logits>;
  inputGradients(batch: Batch, targets: TargetRequest): Promise<GradientResult>;
  layerGradients(batch: Batch, targets: TargetRequest, layers: readonly string[], options?: LayerGradientOptions): Promise<LayerGradientResult>;
  guidedGradients(batch: Batch, targets: TargetRequest): Promise<GradientResult>;
  /** Releases native sessions. Safe to call twice. */
  dispose(): Promise<void>;
}

/** Where the library sends warnings and progress instead of printing (style rule 10). */
export interface Logger {
  warn(message: string): void;
  info?(message: string): void;
  debug?(message: string): void;
}

/** Progress of long work: `done` of `total` units in a named stage. */
export interface ProgressEvent {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export type ProgressReporter = (event: ProgressEvent) => void;

/** A logger that drops everything: the default when the caller injects none. */
export const silentLogger: Logger = { warn() {} };
