import { describe, expect, it } from 'vitest';
import { normalCdf, normalSf, studentTCdf } from '../../src/metrics/index.js';

describe('distribution functions', () => {
  it('the normal lower tail is continuous where the continued fraction takes over (z = -3)', () => {
    for (const dz of [1e-9, 1e-6, 1e-3]) {
      const left = normalCdf(-3 - dz);
      const right = normalCdf(-3 + dz);
      // The density at -3 times the gap bounds the change; both branches must agree to ~1e-12 relative.
      const slope = Math.exp(-4.5) / Math.sqrt(2 * Math.PI);
      expect(Math.abs(right - left - 2 * dz * slope)).toBeLessThan(1e-12 * left + 1e-3 * 2 * dz * slope);
    }
  });
  it('keeps relative precision deep in the tail, where 1 - erf would return 0', () => {
    // Mills-ratio bounds: phi(z) z / (z^2 + 1) < Q(z) < phi(z) / z.
    for (const z of [8, 12, 20, 30]) {
      const phi = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      const q = normalSf(z);
      expect(q).toBeGreaterThan((phi * z) / (z * z + 1));
      expect(q).toBeLessThan(phi / z);
    }
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
  });
  it("Student's t is symmetric and tends to the normal for large df", () => {
    for (const t of [-4, -1.3, 0.2, 2.5]) {
      expect(studentTCdf(t, 7) + studentTCdf(-t, 7)).toBeCloseTo(1, 12);
      expect(studentTCdf(t, 1e6)).toBeCloseTo(normalCdf(t), 6);
    }
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t) / pi.
    for (const t of [-30, -2, 0.5, 10]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
  });
});
