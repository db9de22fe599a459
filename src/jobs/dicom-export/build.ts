/**
 * From one run map to what the DICOM builders take: the map on the source's grid, its threshold by
 * the audit's binarisation rule (computed on the map as the audit scored it) and the mask on the source
 * grid, and the identity (UIDs, numbers) of each derived instance, all derived from stable hashes.
 */
import type { Map2D } from '../../core/types.js';
import { resizeImage } from '../../imaging/index.js';
import { binarize, type BinarizeRule } from '../../metrics/index.js';
import { hashUid, type DerivedInstance, type DicomSourceImage } from '../../report/index.js';

/** A map resampled to the source's grid (bilinear, pixel-centre aligned, anti-aliased when shrinking); unchanged when the grids agree. */
export function onSourceGrid(map: Map2D, source: DicomSourceImage): Map2D {
  if (map.width === source.columns && map.height === source.rows) return map;
  const data = resizeImage(map.data, map.width, map.height, { width: source.columns, height: source.rows, method: 'bilinear' });
  return { data, width: source.columns, height: source.rows };
}

/** A thresholded map: the threshold found on the audit's grid, applied to the map on the source grid. */
export interface Thresholded {
  readonly threshold: number;
  /** `>=` for top-percent (as `binarize` does), `>` otherwise. */
  readonly inclusive: boolean;
  readonly mask: Uint8Array;
}

/** Thresholds `map` (audit grid) by `rule` and applies that threshold to `onGrid` (source grid). */
export function thresholdMap(map: Map2D, onGrid: Map2D, rule: BinarizeRule): Thresholded {
  const binary = binarize(map.data, rule);
  const inclusive = rule.method === 'top-percent';
  if (onGrid === map) return { threshold: binary.threshold, inclusive, mask: binary.mask };
  const mask = new Uint8Array(onGrid.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = (inclusive ? onGrid.data[i]! >= binary.threshold : onGrid.data[i]! > binary.threshold) ? 1 : 0;
  return { threshold: binary.threshold, inclusive, mask };
}

/** Words for a rule, e.g. `Otsu threshold (the audit's rule)`. */
export function ruleText(rule: BinarizeRule, fromAudit: boolean): string {
  const name = rule.method === 'otsu' ? 'Otsu threshold' : rule.method === 'fixed' ? `fixed threshold ${rule.threshold}` : `top ${rule.percent}% of pixels`;
  return `${name}${fromAudit ? " (the audit's binarisation rule)" : ''}`;
}

/** UTC date `YYYYMMDD` and time `HHMMSS`. */
export function dicomDateTime(date: Date): { readonly date: string; readonly time: string } {
  const iso = date.toISOString(); // 2025-01-31T12:34:56.789Z
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}

/** What stays the same for every derived instance of one export. */
export interface ExportContext {
  /** Identifies the run (a hash of its step keys). */
  readonly run: string;
  readonly contentDate: string;
  readonly contentTime: string;
  readonly software: { readonly name: string; readonly version: string };
}

/**
 * The identity of a derived instance. Series group one model's objects of one kind per source image (a
 * series lies within one study, and each source may be its own study); `parts` name the instance's content.
 */
export function derivedInstance(
  context: ExportContext,
  source: DicomSourceImage,
  kind: 'parametric-map' | 'segmentation',
  model: { readonly id: string; readonly index: number },
  instanceNumber: number,
  parts: readonly string[],
): DerivedInstance {
  return {
    seriesInstanceUid: hashUid(`${kind}-series`, context.run, model.id, source.sopInstanceUid),
    sopInstanceUid: hashUid(kind, context.run, model.id, source.sopInstanceUid, ...parts),
    // 9000 + 10 x model + 1 (maps) or 2 (segmentations): apart from the source's own series numbers.
    seriesNumber: 9000 + 10 * model.index + (kind === 'parametric-map' ? 1 : 2),
    instanceNumber,
    seriesDescription: `heatcheck ${kind === 'parametric-map' ? 'saliency maps' : 'thresholded saliency'} of ${model.id}`,
    frameOfReferenceUid: hashUid('frame-of-reference', source.sopInstanceUid),
    contentDate: context.contentDate,
    contentTime: context.contentTime,
    software: context.software,
  };
}
