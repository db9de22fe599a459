/**
 * The distribution functions the tests need, on jStat's special functions. Student's t goes through the
 * regularized incomplete beta directly (jStat's own t CDF loses digits to cancellation for large |t|).
 * The normal lower tail below z = -3 is a continued fraction written here because jStat's `erfc` is
 * `1 - erf` and keeps no relative precision for p-values under about 1e-8; above it jStat's CDF is used.
 */
import jStat from 'jstat';

/** Lower-tail probability P(T <= t) of Student's t distribution with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  // P(T <= -|t|) = I_{df/(df+t^2)}(df/2, 1/2) / 2, with no cancellation in the tail.
  const tail = 0.5 * jStat.ibeta(df / (df + t * t), df / 2, 0.5);
  return t < 0 ? tail : 1 - tail;
}

/** Upper tail Q(x) = P(Z > x) of the standard normal for x >= 3, by Laplace's continued fraction (modified Lentz). */
function normalUpperTail(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    d = x + k * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + k / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) / f;
}

/** Lower-tail probability P(Z <= z) of the standard normal, with full relative precision in the lower tail. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === -Infinity) return 0;
  if (z === Infinity) return 1;
  if (z < -3) return normalUpperTail(-z);
  return jStat.normal.cdf(z, 0, 1);
}

/** Upper-tail probability P(Z > z) of the standard normal (`normalCdf(-z)`). */
export function normalSf(z: number): number {
  return normalCdf(-z);
}
