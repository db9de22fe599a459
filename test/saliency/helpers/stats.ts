/** Small statistics for comparing maps and partitions in saliency tests. */

/** Adjusted Rand index of two labelings of the same items (Hubert & Arabie). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const pairs = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const key = `${x},${y}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(y, (cols.get(y) ?? 0) + 1);
  }
  const c2 = (m: number): number => (m * (m - 1)) / 2;
  let index = 0;
  for (const m of pairs.values()) index += c2(m);
  let sumRows = 0;
  for (const m of rows.values()) sumRows += c2(m);
  let sumCols = 0;
  for (const m of cols.values()) sumCols += c2(m);
  const expected = (sumRows * sumCols) / c2(n);
  const max = (sumRows + sumCols) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

/** Largest |a - b| / max(|b|, floor) over all elements. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor);
    if (e > worst) worst = e;
  }
  return worst;
}

/** Largest |a - b|. */
export function maxAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
