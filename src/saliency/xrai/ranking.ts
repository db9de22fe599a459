/**
 * XRAI's "full" greedy region ranking (PAIR `saliency` core `XRAI._xrai`): repeatedly add the candidate
 * mask whose not-yet-covered pixels have the highest mean attribution ("gain density"), drop candidates
 * that would add fewer than `minPixelDiff` new pixels, and paint each newly covered pixel with the gain of
 * the region that covered it. Pixels never covered get the mean attribution over themselves.
 *
 * PAIR recomputes every candidate's masked mean at every step (masks x steps x pixels). Here each
 * candidate keeps its uncovered-pixel count and attribution sum, updated only for pixels as they get
 * covered, through a pixel -> masks index: the same choices in O(total mask area + masks x steps).
 */

/** Options of the greedy ranking; defaults are PAIR's. */
export interface XraiRankingOptions {
  /** Stop once this fraction of the image is covered (default 1.0: rank everything). */
  readonly areaThreshold: number;
  /** Candidates adding fewer new pixels than this are discarded (default 50). */
  readonly minPixelDiff: number;
}

/** PAIR's ranking defaults. */
export const defaultXraiRanking: XraiRankingOptions = Object.freeze({ areaThreshold: 1.0, minPixelDiff: 50 });

/** One region in the order XRAI added it. */
export interface XraiRegion {
  /** Mean attribution over the pixels this region newly covered. */
  readonly gain: number;
  /** Index of the candidate mask that produced it (-1 for the uncovered remainder). */
  readonly mask: number;
  /** Number of pixels it newly covered. */
  readonly pixels: number;
}

/** Result of the ranking: the gain map, the 1-based region rank of every pixel, and the regions. */
export interface XraiRanking {
  readonly gains: Float64Array;
  /** 1 = most important region (highest gain); the uncovered remainder, if any, comes last. */
  readonly ranks: Int32Array;
  /** Regions in the order they were added; the uncovered remainder last, if any. */
  readonly regions: readonly XraiRegion[];
}

/** Ranks candidate masks over a 2-D attribution map with XRAI's full greedy algorithm. */
export function rankXraiRegions(
  attribution: ArrayLike<number>,
  masks: readonly Int32Array[],
  options: XraiRankingOptions = defaultXraiRanking,
): XraiRanking {
  const n = attribution.length;
  const m = masks.length;
  // pixel -> masks containing it (CSR), masks in index order.
  const start = new Int32Array(n + 1);
  for (const mask of masks) for (const p of mask) start[p + 1]!++;
  for (let p = 0; p < n; p++) start[p + 1]! += start[p]!;
  const owners = new Int32Array(start[n]!);
  const fill = start.slice(0, n);
  for (let k = 0; k < m; k++) for (const p of masks[k]!) owners[fill[p]!++] = k;

  const remainingCount = new Float64Array(m);
  const remainingSum = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const mask = masks[k]!;
    let sum = 0;
    for (const p of mask) sum += attribution[p]!;
    remainingCount[k] = mask.length;
    remainingSum[k] = sum;
  }

  const gains = new Float64Array(n).fill(-Infinity);
  const regionOf = new Int32Array(n).fill(-1);
  const regions: XraiRegion[] = [];
  let candidates: number[] = Array.from({ length: m }, (_, k) => k);
  let covered = 0;
  while (covered / n <= options.areaThreshold) {
    let best = -1;
    let bestGain = -Infinity;
    const kept: number[] = [];
    for (const k of candidates) {
      const count = remainingCount[k]!;
      if (count < options.minPixelDiff) continue;
      kept.push(k);
      const gain = remainingSum[k]! / count;
      // Strictly greater: the first of equal gains wins, as in PAIR.
      if (gain > bestGain) {
        bestGain = gain;
        best = k;
      }
    }
    candidates = kept;
    if (candidates.length === 0 || best < 0) break;
    let added = 0;
    for (const p of masks[best]!) {
      if (regionOf[p] !== -1) continue;
      regionOf[p] = regions.length;
      gains[p] = bestGain;
      added++;
      const a = attribution[p]!;
      for (let j = start[p]!; j < start[p + 1]!; j++) {
        const owner = owners[j]!;
        remainingCount[owner]!--;
        remainingSum[owner]! -= a;
      }
    }
    regions.push({ gain: bestGain, mask: best, pixels: added });
    covered += added;
    candidates = candidates.filter((k) => k !== best);
  }

  // Pixels never covered share the mean of their own attributions (keeps the map's sum equal to IG's).
  let restCount = 0;
  let restSum = 0;
  for (let p = 0; p < n; p++) {
    if (regionOf[p] === -1) {
      restCount++;
      restSum += attribution[p]!;
    }
  }
  if (restCount > 0) {
    const restGain = restSum / restCount;
    for (let p = 0; p < n; p++) {
      if (regionOf[p] === -1) {
        gains[p] = restGain;
        regionOf[p] = regions.length;
      }
    }
    regions.push({ gain: restGain, mask: -1, pixels: restCount });
  }

  // Ranks: added regions by decreasing gain (stable), the remainder last.
  const added = regions.length - (restCount > 0 ? 1 : 0);
  const order = Array.from({ length: added }, (_, i) => i).sort((a, b) => regions[b]!.gain - regions[a]!.gain || a - b);
  const rankOfRegion = new Int32Array(regions.length);
  order.forEach((region, i) => (rankOfRegion[region] = i + 1));
  if (restCount > 0) rankOfRegion[regions.length - 1] = regions.length;
  const ranks = new Int32Array(n);
  for (let p = 0; p < n; p++) ranks[p] = rankOfRegion[regionOf[p]!]!;
  return { gains, ranks, regions };
}
