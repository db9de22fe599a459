/**
 * XRAI's candidate regions (Kapishnikov et al., ICCV 2019; PAIR `saliency` core `_get_segments_felzenszwalb`):
 * the image is rescaled to [-1, 1] and resized to 224x224, segmented by Felzenszwalb at several scales,
 * every label map is brought back to the input size with nearest neighbour, and every segment becomes one
 * mask dilated by a disk. Masks are returned as sorted pixel-index lists (sparse: the greedy ranking only
 * ever walks their pixels).
 */
import { felzenszwalbGraph, segmentGraph } from '../../imaging/felzenszwalb.js';
import { rescaleFloat32, resizeCubic, resizeNearestLabels } from './resize.js';

/** How XRAI segments an image; the defaults are PAIR's. */
export interface XraiSegmentationOptions {
  /** Felzenszwalb scales (default 50, 100, 150, 250, 500, 1200). */
  readonly scales: readonly number[];
  /** Gaussian smoothing before segmentation (default 0.8). */
  readonly sigma: number;
  /** Minimum segment size in pixels of the segmentation image (default 150). */
  readonly minSize: number;
  /** Side of the square the image is resized to before segmenting; `null` keeps its size (default 224). */
  readonly resizeTo: number | null;
  /** Radius of the disk each mask is dilated with; 0 disables dilation (default 5). */
  readonly dilationRadius: number;
}

/** PAIR's segmentation defaults. */
export const defaultXraiSegmentation: XraiSegmentationOptions = Object.freeze({
  scales: Object.freeze([50, 100, 150, 250, 500, 1200]),
  sigma: 0.8,
  minSize: 150,
  resizeTo: 224,
  dilationRadius: 5,
});

/** An image's XRAI masks: each a sorted list of pixel indices (y * width + x). */
export interface XraiMasks {
  readonly width: number;
  readonly height: number;
  readonly masks: readonly Int32Array[];
  /** The label map of each scale at the input size, before dilation. */
  readonly labelMaps: readonly Int32Array[];
}

/** Segments one CHW float32 image into XRAI's dilated multi-scale masks. */
export function xraiSegments(
  image: Float32Array,
  channels: number,
  height: number,
  width: number,
  options: XraiSegmentationOptions = defaultXraiSegmentation,
): XraiMasks {
  const steps = segmentSteps(image, channels, height, width, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `xraiSegments`, giving way to other work between scales (a whole image is about a second of JavaScript,
 * which would otherwise hold up the engine's lanes while XRAI's passes run).
 */
export async function xraiSegmentsAsync(
  image: Float32Array,
  channels: number,
  height: number,
  width: number,
  options: XraiSegmentationOptions = defaultXraiSegmentation,
  pause: () => Promise<void>,
): Promise<XraiMasks> {
  const steps = segmentSteps(image, channels, height, width, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** The segmentation as steps: one yield after the smoothing graph and after each scale. */
function* segmentSteps(
  image: Float32Array,
  channels: number,
  height: number,
  width: number,
  options: XraiSegmentationOptions,
): Generator<void, XraiMasks, void> {
  const scaled = rescaleFloat32(image, -1, 1);
  const segH = options.resizeTo ?? height;
  const segW = options.resizeTo ?? width;
  const plane = height * width;
  const segPlane = segH * segW;
  const hwc = new Float32Array(segPlane * channels);
  for (let c = 0; c < channels; c++) {
    const channel = scaled.subarray(c * plane, (c + 1) * plane);
    const resized = options.resizeTo === null ? channel : resizeCubic(channel, height, width, segH, segW);
    for (let i = 0; i < segPlane; i++) hwc[i * channels + c] = resized[i]!;
  }
  const graph = felzenszwalbGraph({ data: hwc, width: segW, height: segH, channels }, options.sigma);
  yield;
  const labelMaps: Int32Array[] = [];
  const masks: Int32Array[] = [];
  const offsets = diskOffsets(options.dilationRadius);
  for (const scale of options.scales) {
    const seg = segmentGraph(graph, scale, options.minSize);
    const labels = options.resizeTo === null ? seg.labels : resizeNearestLabels(seg.labels, segH, segW, height, width);
    labelMaps.push(labels);
    for (const mask of dilatedMasks(labels, height, width, offsets)) masks.push(mask);
    yield;
  }
  return { width, height, masks, labelMaps };
}

/** (dy, dx) pairs of `skimage.morphology.disk(radius)`: dy^2 + dx^2 <= radius^2. */
function diskOffsets(radius: number): Int32Array {
  const out: number[] = [];
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) if (dy * dy + dx * dx <= radius * radius) out.push(dy, dx);
  }
  return Int32Array.from(out);
}

/**
 * One mask per label value from min to max (an absent value gives an empty mask, as PAIR's unpacking
 * does), each dilated by the disk. Borders behave as zero padding: with a symmetric disk, scipy's
 * 'reflect' extension of a binary mask adds nothing a zero pad would not.
 */
function dilatedMasks(labels: Int32Array, height: number, width: number, offsets: Int32Array): Int32Array[] {
  let min = Infinity;
  let max = -Infinity;
  for (const l of labels) {
    if (l < min) min = l;
    if (l > max) max = l;
  }
  const count = max - min + 1;
  const lists: number[][] = Array.from({ length: count }, () => []);
  const stamp = new Int32Array(count).fill(-1);
  const pairs = offsets.length >> 1;
  const radius = Math.round(Math.sqrt(offsets[0]! * offsets[0]! + offsets[1]! * offsets[1]!));
  const near = nearBoundary(labels, height, width, radius);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (!near[p]) {
        // No label change within the disk's bounding box: the pixel is only in its own mask.
        lists[labels[p]! - min]!.push(p);
        continue;
      }
      // The disk always contains (0, 0), so every pixel lands in its own label's mask.
      for (let k = 0; k < pairs; k++) {
        const yy = y + offsets[2 * k]!;
        const xx = x + offsets[2 * k + 1]!;
        if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
        const l = labels[yy * width + xx]! - min;
        if (stamp[l] !== p) {
          stamp[l] = p;
          lists[l]!.push(p);
        }
      }
    }
  }
  return lists.map((list) => Int32Array.from(list));
}

/**
 * Marks pixels within Chebyshev distance `radius` of a label change between 4-neighbours. Any pixel of
 * another label inside a pixel's (2r+1)^2 box implies such a change inside the box, so unmarked pixels
 * only ever see their own label in the disk.
 */
function nearBoundary(labels: Int32Array, height: number, width: number, radius: number): Uint8Array {
  const edge = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x + 1 < width && labels[p] !== labels[p + 1]) edge[p] = edge[p + 1] = 1;
      if (y + 1 < height && labels[p] !== labels[p + width]) edge[p] = edge[p + width] = 1;
    }
  }
  // Separable box dilation by running counts: along rows, then along columns.
  const rowsPass = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) {
    let count = 0;
    for (let x = 0; x < Math.min(width, radius); x++) count += edge[y * width + x]!;
    for (let x = 0; x < width; x++) {
      if (x + radius < width) count += edge[y * width + x + radius]!;
      if (x - radius - 1 >= 0) count -= edge[y * width + x - radius - 1]!;
      rowsPass[y * width + x] = count > 0 ? 1 : 0;
    }
  }
  const out = new Uint8Array(height * width);
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < Math.min(height, radius); y++) count += rowsPass[y * width + x]!;
    for (let y = 0; y < height; y++) {
      if (y + radius < height) count += rowsPass[(y + radius) * width + x]!;
      if (y - radius - 1 >= 0) count -= rowsPass[(y - radius - 1) * width + x]!;
      out[y * width + x] = count > 0 ? 1 : 0;
    }
  }
  return out;
}
