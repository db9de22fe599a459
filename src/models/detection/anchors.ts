/**
 * RetinaNet anchors (Lin et al. 2017, https://arxiv.org/abs/1708.02002): per pyramid level of stride s,
 * at every cell centre, `scales x ratios` boxes of base size `sizes[level]`. Their order matches the
 * detection head's output: level, then row, then column, then anchor.
 */
import type { Box } from '../../core/types.js';

/** Anchor settings, recorded on the model card. */
export interface AnchorConfig {
  /** Pyramid levels as strides (e.g. [8, 16, 32] for P3-P5). */
  readonly strides: readonly number[];
  /** Base anchor size per level in pixels. */
  readonly sizes: readonly number[];
  readonly scales: readonly number[];
  /** Height / width ratios. */
  readonly ratios: readonly number[];
}

/** The original paper's scales and ratios. */
export const defaultAnchorShapes = { scales: [1, 2 ** (1 / 3), 2 ** (2 / 3)], ratios: [0.5, 1, 2] } as const;

/** Anchors per cell. */
export function anchorsPerCell(config: AnchorConfig): number {
  return config.scales.length * config.ratios.length;
}

/** Every anchor of an image of the given size, as boxes (x, y, width, height), in head order. */
export function generateAnchors(config: AnchorConfig, height: number, width: number): Box[] {
  const out: Box[] = [];
  config.strides.forEach((stride, level) => {
    const rows = Math.ceil(height / stride);
    const cols = Math.ceil(width / stride);
    const base = config.sizes[level]!;
    const shapes = config.scales.flatMap((s) => config.ratios.map((r) => [base * s / Math.sqrt(r), base * s * Math.sqrt(r)] as const));
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const cx = (x + 0.5) * stride;
        const cy = (y + 0.5) * stride;
        for (const [w, h] of shapes) out.push({ x: cx - w / 2, y: cy - h / 2, width: w, height: h });
      }
    }
  });
  return out;
}
