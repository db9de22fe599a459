/**
 * Draws one phantom chest radiograph (PA view, display orientation: bright = dense) from a seeded
 * generator: body soft tissue, two lungs with vessel texture, heart and mediastinum, spine, clavicles,
 * posterior ribs, detector noise. Geometry is in fractions of the image, so any size works.
 * Lesions: a pneumothorax is a crescent of air at the lateral/apical lung edge (no lung markings, a
 * thin visceral pleural line) whose pixels are the mask; pneumonia is one to three blurred opacities
 * in the lungs, each with its bounding box. A shortcut marker (tube or corner token) has its own mask.
 */
import type { Box } from '../../core/types.js';
import type { Rng } from '../../core/rng.js';

/** The lesion kinds the phantom draws. */
export type PhantomLesion = 'pneumothorax' | 'pneumonia';

/** The shortcut markers the phantom can plant. */
export type PhantomShortcutKind = 'tube' | 'token';

/** What to draw in one image. */
export interface RenderSpec {
  readonly width: number;
  readonly height: number;
  /** Lesion kind, or undefined for a negative image. */
  readonly lesion: PhantomLesion | undefined;
  /** Lesion size range as fractions of the image width (pneumothorax: crescent thickness; pneumonia: opacity radius). */
  readonly lesionSize: readonly [number, number];
  readonly shortcut: PhantomShortcutKind | undefined;
  /** Standard deviation of the detector noise, in [0, 1] units. */
  readonly noise: number;
}

/** The drawn image with its exact ground truth. */
export interface RenderedPhantom {
  /** Row-major pixels in [0, 1], quantised to 8 bits (k / 255) so an 8-bit DICOM stores them exactly. */
  readonly pixels: Float32Array;
  /** Lesion pixels (1 = lesion): the pneumothorax crescent(s) or the opacities out to a quarter of their peak. */
  readonly lesionMask: Uint8Array;
  /** One mask per separate lesion region (a SIIM row or an RSNA box each). */
  readonly lesionParts: readonly Uint8Array[];
  /** Pneumonia boxes in pixels (integer top-left and size); empty for pneumothorax. */
  readonly boxes: readonly Box[];
  /** Pixels of the shortcut marker (all 0 without one). */
  readonly shortcutMask: Uint8Array;
}

interface Lung {
  cx: number;
  cy: number;
  /** Half-width at the base and half-heights above and below the centre, as fractions of the image. */
  a: number;
  top: number;
  bottom: number;
  /** -1 for the image-left lung (patient's right), +1 for the image-right lung. */
  side: -1 | 1;
}

/**
 * Squared normalised distance of a point to a lung outline (< 1 inside): the apex is narrow, the
 * medial border straighter than the lateral one, and the base domed by the diaphragm with sharp
 * costophrenic angles.
 */
function lungDistance(l: Lung, u: number, v: number): number {
  const dvTop = (v - l.cy) / l.top;
  const t = v < l.cy ? 1 - dvTop * dvTop : 1;
  const half = l.a * (0.42 + 0.58 * Math.sqrt(t > 0 ? t : 0));
  const du = (u - l.cx) / half;
  const du2 = du * du;
  const lateral = du * l.side > 0;
  const across = lateral ? du2 : du2 * du2;
  if (v < l.cy) return across + dvTop * dvTop;
  const dome = 1 - 0.2 * (1 - Math.min(du2, 1));
  const dv = (v - l.cy) / (l.bottom * dome);
  const dv2 = dv * dv;
  return across + dv2 * dv2;
}

function soft(e: number, edge: number): number {
  const s = (1 - e) / edge;
  return s <= 0 ? 0 : s >= 1 ? 1 : s * s * (3 - 2 * s);
}

/** Smooth value noise on a coarse grid of normal draws; `row(v)` returns a sampler along one image row. */
function valueNoise(rng: Rng, cells: number): { row(v: number): (u: number) => number } {
  const n = cells + 2;
  const grid = rng.fillNormal(new Float32Array(n * n));
  const line = new Float32Array(n);
  return {
    row(v: number) {
      const y = Math.min(Math.max(v, 0), 1) * cells;
      const y0 = Math.floor(y);
      const fy = y - y0;
      for (let k = 0; k < n; k++) line[k] = grid[y0 * n + k]! + (grid[(y0 + 1) * n + k]! - grid[y0 * n + k]!) * fy;
      return (u: number) => {
        const x = Math.min(Math.max(u, 0), 1) * cells;
        const x0 = Math.floor(x);
        return line[x0]! + (line[x0 + 1]! - line[x0]!) * (x - x0);
      };
    },
  };
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

/** A smooth bump of half-width `w`: 1 at 0, 0 beyond w (a cheap stand-in for a Gaussian profile). */
function bump(d: number, w: number): number {
  const q = d / w;
  const r = 1 - q * q;
  return r > 0 ? r * r : 0;
}

/** Draws one image and its ground truth; every random choice comes from `rng`. */
export function renderPhantom(rng: Rng, spec: RenderSpec): RenderedPhantom {
  const { width: W, height: H } = spec;
  const geometry = rng.fork('geometry');
  const jitter = (s: number): number => s * geometry.normal();
  const dx = jitter(0.012);
  const dy = jitter(0.012);
  const midline = 0.5 + dx;
  const lungs: Lung[] = [
    { cx: 0.3 + dx + jitter(0.008), cy: 0.43 + dy + jitter(0.01), a: 0.16 * (1 + jitter(0.05)), top: 0.3 * (1 + jitter(0.04)), bottom: 0.22 * (1 + jitter(0.05)), side: -1 },
    { cx: 0.7 + dx + jitter(0.008), cy: 0.43 + dy + jitter(0.01), a: 0.15 * (1 + jitter(0.05)), top: 0.29 * (1 + jitter(0.04)), bottom: 0.24 * (1 + jitter(0.05)), side: 1 },
  ];
  const heart = { cx: 0.555 + dx + jitter(0.01), cy: 0.63 + dy + jitter(0.01), a: 0.15 * (1 + jitter(0.06)), b: 0.12 * (1 + jitter(0.06)) };
  const bodyHalf = 0.46 * (1 + jitter(0.03));
  const shoulder = 0.16 + dy;
  const ribSpacing = 0.06 * (1 + jitter(0.04));
  const ribTop = 0.1 + dy + jitter(0.01);
  const ribCurve = 1.5 + jitter(0.15);
  const ribSlope = 0.35 + jitter(0.05);
  const tissue = 0.52 + jitter(0.03);
  const airDrop = 0.27 + jitter(0.02);
  const gamma = Math.exp(jitter(0.08));
  const vessels = valueNoise(rng.fork('vessels'), 24);
  const mottle = valueNoise(rng.fork('mottle'), 5);

  // Pneumothorax: per affected lung, a smaller copy anchored at the medial base (the lung collapses
  // toward the hilum); the gap along the lateral and apical edge is the crescent of pleural air.
  const lesionRng = rng.fork('lesion');
  const collapsed: (Lung | undefined)[] = [undefined, undefined];
  const opacities: { u: number; v: number; rx: number; ry: number; amp: number; texture: ReturnType<typeof valueNoise> }[] = [];
  if (spec.lesion === 'pneumothorax') {
    const first = lesionRng.int(2);
    const sides = lesionRng.uniform() < 0.12 ? [0, 1] : [first];
    for (const s of sides) {
      const l = lungs[s]!;
      const thickness = uniform(lesionRng, spec.lesionSize[0], spec.lesionSize[1]);
      const shrinkA = Math.max(0.4, 1 - thickness / (2 * l.a));
      const shrinkTop = Math.max(0.5, 1 - (0.9 * thickness) / (l.top + l.bottom));
      collapsed[s] = {
        cx: l.cx - l.side * (1 - shrinkA) * l.a,
        cy: l.cy + (1 - shrinkTop) * (l.top + l.bottom) * 0.5,
        a: l.a * shrinkA,
        top: l.top * shrinkTop,
        bottom: l.bottom * shrinkTop,
        side: l.side,
      };
    }
  } else if (spec.lesion === 'pneumonia') {
    const count = 1 + (lesionRng.uniform() < 0.4 ? 1 : 0) + (lesionRng.uniform() < 0.15 ? 1 : 0);
    for (let k = 0; k < count; k++) {
      const l = lungs[lesionRng.int(2)]!;
      const angle = 2 * Math.PI * lesionRng.uniform();
      const r = 0.6 * Math.sqrt(lesionRng.uniform());
      const radius = uniform(lesionRng, spec.lesionSize[0], spec.lesionSize[1]);
      opacities.push({
        u: l.cx + r * 0.7 * l.a * Math.cos(angle),
        v: l.cy + 0.2 * l.bottom + r * 0.6 * l.top * Math.sin(angle),
        rx: radius * (0.8 + 0.4 * lesionRng.uniform()),
        ry: radius * (0.8 + 0.5 * lesionRng.uniform()),
        amp: uniform(lesionRng, 0.18, 0.28),
        texture: valueNoise(lesionRng.fork(k), 6),
      });
    }
  }

  const pixels = new Float32Array(W * H);
  const lesionMask = new Uint8Array(W * H);
  const parts = collapsed.map((c) => (c ? new Uint8Array(W * H) : undefined));
  const opacityParts = opacities.map(() => new Uint8Array(W * H));
  const pleuraWidth = Math.max(1.2 / W, 0.003);
  const lungLeft = Math.min(...lungs.map((l) => l.cx - l.a)) - 0.02;
  const lungRight = Math.max(...lungs.map((l) => l.cx + l.a)) + 0.02;
  const lungTop = Math.min(...lungs.map((l) => l.cy - l.top)) - 0.02;
  const lungBottom = Math.max(...lungs.map((l) => l.cy + l.bottom)) + 0.02;

  for (let y = 0; y < H; y++) {
    const v = (y + 0.5) / H;
    const vesselRow = vessels.row(v);
    const mottleRow = mottle.row(v);
    const opacityRows = opacities.map((o) => o.texture.row(v));
    // Torso outline: neck widening into the shoulders, then the chest wall.
    const s = Math.min(Math.max((v - 0.01) / (shoulder - 0.01), 0), 1);
    const chest = bodyHalf * (1 - 0.12 * ((v - 0.5) / 0.5) ** 2);
    const half = 0.13 + (chest - 0.13) * s * s * (3 - 2 * s);
    const hv = (v - heart.cy) / heart.b;
    const inLungRows = v > lungTop && v < lungBottom;
    const lowerLung = Math.min(Math.max((v - 0.45) / 0.3, 0), 1);
    for (let x = 0; x < W; x++) {
      const u = (x + 0.5) / W;
      const i = y * W + x;
      const offset = u - midline;
      const mid = offset < 0 ? -offset : offset;
      const inBody = soft((mid / half) * (mid / half), 0.12);
      let density = 0.03 + tissue * inBody;
      if (inBody === 0) {
        pixels[i] = density;
        continue;
      }
      // Mediastinum, spine and heart: the bright central shadow.
      const hu = (u - heart.cx) / heart.a;
      const heartSoft = soft(hu * hu + hv * hv, 0.45);
      density += 0.09 * soft((mid / 0.08) * (mid / 0.08), 0.5) * (v > 0.1 ? 1 : 0.3);
      density += 0.1 * soft((mid / 0.03) * (mid / 0.03), 0.5);
      density += 0.08 * heartSoft;
      density += 0.02 * mottleRow(u);
      // Clavicles: bright bars from the sternal notch out and up to the shoulders.
      if (v > 0.05 && v < 0.3) {
        const along = mid - 0.035;
        if (along > 0 && along < 0.28) {
          const centre = 0.165 + dy - 0.2 * along + 0.55 * along * along;
          density += 0.1 * bump(v - centre, 0.016);
        }
      }
      let air = 0;
      let markings = 0;
      if (inLungRows && u > lungLeft && u < lungRight) {
        for (let k = 0; k < 2; k++) {
          const l = lungs[k]!;
          let inside = soft(lungDistance(l, u, v), 0.12);
          if (l.side === 1) inside *= 1 - heartSoft;
          if (inside <= 0) continue;
          let lungMarkings = inside;
          const c = collapsed[k];
          if (c) {
            const ec = lungDistance(c, u, v);
            if (ec > 1 && inside > 0.5) {
              lesionMask[i] = 1;
              parts[k]![i] = 1;
            }
            // Beyond the collapsed edge: no vessels, a little more air, and the thin visceral pleural line.
            lungMarkings = inside * soft(ec, 0.1);
            inside += 0.25 * (inside - lungMarkings);
            density += 0.07 * inside * bump((Math.sqrt(ec) - 1) * c.a, pleuraWidth);
          }
          if (inside > air) air = inside;
          if (lungMarkings > markings) markings = lungMarkings;
        }
      }
      if (air > 0) {
        // Vessel markings, denser toward the hila; breast and diaphragm soft tissue over the lower lungs.
        const hilum = 1 - Math.min(mid / 0.3, 1);
        density -= airDrop * air * (1 - 0.25 * lowerLung);
        density += markings * (0.03 * vesselRow(u) + 0.06 * hilum * hilum);
      }
      // Posterior ribs: arcs running down and out from the spine, seen through the lungs.
      if (mid > 0.035 && v > ribTop - 0.05 && v < lungBottom + 0.04) {
        const phase = (v - ribTop - ribSlope * mid + ribCurve * (mid - 0.22) * (mid - 0.22)) / ribSpacing;
        const ribIndex = Math.round(phase);
        if (ribIndex >= 0 && ribIndex < 10) {
          density += 0.08 * bump((phase - ribIndex) * ribSpacing, 0.4 * ribSpacing) * inBody * (0.4 + 0.6 * air);
        }
      }
      for (let k = 0; k < opacities.length; k++) {
        const o = opacities[k]!;
        const ou = (u - o.u) / o.rx;
        const ov = (v - o.v) / o.ry;
        const d2 = ou * ou + ov * ov;
        if (d2 > 9) continue;
        const texture = 0.8 + 0.4 * opacityRows[k]!(u);
        const profile = Math.exp(-0.5 * d2);
        density += o.amp * profile * (texture < 0.5 ? 0.5 : texture > 1.3 ? 1.3 : texture) * (air > 0.35 ? air : 0.35);
        // The lesion's extent is geometric (a quarter of the peak), so texture never erases a lesion.
        if (profile > 0.25) {
          lesionMask[i] = 1;
          opacityParts[k]![i] = 1;
        }
      }
      pixels[i] = density;
    }
  }

  const shortcutMask = new Uint8Array(W * H);
  if (spec.shortcut) drawShortcut(rng.fork('shortcut'), spec.shortcut, W, H, lungs, pixels, shortcutMask);

  // Detector noise, then the display curve through a table (pow per pixel is slow at 1024x1024).
  const levels = 4096;
  const curve = new Float32Array(levels + 1);
  for (let k = 0; k <= levels; k++) curve[k] = Math.round(255 * (k / levels) ** gamma) / 255;
  // Irwin-Hall: four 16-bit uniforms from two draws make a near-normal deviate at a fraction of the
  // cost of the polar method (a million pixels per 1024x1024 image).
  const noise = rng.fork('noise');
  const scale = (spec.noise * Math.sqrt(3)) / 65536;
  for (let i = 0; i < pixels.length; i++) {
    const a = noise.nextUint32();
    const b = noise.nextUint32();
    const value = pixels[i]! + scale * ((a & 0xffff) + (a >>> 16) + (b & 0xffff) + (b >>> 16) - 131070);
    pixels[i] = curve[Math.round((value < 0 ? 0 : value > 1 ? 1 : value) * levels)]!;
  }

  const boxes: Box[] = opacityParts.map(boundingBox).filter((b): b is Box => b !== undefined);
  const lesionParts: Uint8Array[] = spec.lesion === 'pneumonia' ? opacityParts : parts.flatMap((p) => (p ? [p] : []));
  return { pixels, lesionMask, lesionParts: lesionParts.filter((p) => p.includes(1)), boxes, shortcutMask };

  function boundingBox(mask: Uint8Array): Box | undefined {
    let x0 = W;
    let y0 = H;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (mask[y * W + x]) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    return x1 < 0 ? undefined : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  }
}

/** Stamps a radiopaque marker into the density image and its mask. */
function drawShortcut(rng: Rng, kind: PhantomShortcutKind, W: number, H: number, lungs: Lung[], density: Float32Array, mask: Uint8Array): void {
  if (kind === 'token') {
    // A lead side marker: an "L" in a corner, as technologists place on the cassette.
    const size = Math.max(6, Math.round(0.07 * W));
    const stroke = Math.max(2, Math.round(size / 4));
    const corner = rng.int(2);
    const x0 = corner === 0 ? Math.round(0.04 * W) : W - Math.round(0.04 * W) - size;
    const y0 = Math.round(0.04 * H);
    for (let y = y0; y < y0 + size && y < H; y++) {
      for (let x = x0; x < x0 + size && x < W; x++) {
        const onStem = x - x0 < stroke;
        const onFoot = y0 + size - 1 - y < stroke;
        if (onStem || onFoot) {
          density[y * W + x] = 0.97;
          mask[y * W + x] = 1;
        }
      }
    }
    return;
  }
  // A chest drain: a thin radiopaque tube entering from the lateral chest wall and curving up into a lung.
  const l = lungs[rng.int(2)]!;
  const start = { u: l.cx + l.side * (l.a + 0.1), v: l.cy + 0.6 * l.bottom };
  const control = { u: l.cx + l.side * (0.6 * l.a), v: l.cy + 0.2 * l.bottom };
  const end = { u: l.cx + l.side * 0.25 * l.a * rng.uniform(), v: l.cy - (0.45 + 0.25 * rng.uniform()) * l.top };
  const radius = Math.max(1.1, 0.0045 * W);
  const steps = Math.ceil(4 * (W + H));
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    const u = (1 - t) * (1 - t) * start.u + 2 * t * (1 - t) * control.u + t * t * end.u;
    const v = (1 - t) * (1 - t) * start.v + 2 * t * (1 - t) * control.v + t * t * end.v;
    const cx = u * W - 0.5;
    const cy = v * H - 0.5;
    for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
      for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
        if (x < 0 || y < 0 || x >= W || y >= H) continue;
        if ((x - cx) ** 2 + (y - cy) ** 2 > radius * radius) continue;
        const i = y * W + x;
        if (!mask[i]) density[i] = density[i]! + 0.3;
        mask[i] = 1;
      }
    }
  }
}
