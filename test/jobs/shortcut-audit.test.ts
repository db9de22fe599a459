/**
 * Issue #7's acceptance: "with a planted shortcut, the shortcut-trained classifier's maps have low AUPRC
 * and high mass on the marker, and the verdict table fails utility". Two small audits on the same 32 px
 * phantom, one with a lead token on every positive image (none on negatives), one without: the images
 * differ only on the token's pixels, so the honest run is the reference on the same images and regions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShortcutAudit, SHORTCUT_METHODS, type ShortcutOutcome } from './shortcut-audit-run.js';

const dirs: string[] = [];
let shortcut: ShortcutOutcome;
let honest: ShortcutOutcome;

beforeAll(async () => {
  for (let k = 0; k < 2; k++) dirs.push(await mkdtemp(path.join(tmpdir(), 'heatcheck-shortcut-')));
  shortcut = await runShortcutAudit(dirs[0]!, true);
  honest = await runShortcutAudit(dirs[1]!, false);
}, 300_000);

afterAll(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('an audit of classifiers trained with a planted shortcut', () => {
  it('audits enough positive images for the paired test to be decisive, and the classifiers learned the marker', () => {
    // Wilcoxon's smallest one-sided p is 2^-n; after Holm over the methods it must still fall below 0.005.
    expect(shortcut.images).toBeGreaterThanOrEqual(12);
    expect(honest.images).toBe(shortcut.images);
    // Every positive test image carries the marker and no negative does, so the marker alone separates them.
    for (const auc of shortcut.rocAuc) expect(auc).toBeGreaterThanOrEqual(0.99);
  });

  it.each(SHORTCUT_METHODS)('%s: the maps localize the lesions worse than the honest model\'s on the same images, and below the average-mask prior', (method) => {
    expect(shortcut.auprc[method]!).toBeLessThan((2 / 3) * honest.auprc[method]!);
    // The prior ignores the image; maps that looked at the lesion would not fall below it.
    expect(shortcut.auprc[method]!).toBeLessThan(shortcut.priorAuprc);
  });

  it.each(SHORTCUT_METHODS)('%s: the maps put a high share of their mass on the marker box', (method) => {
    // Chance is the box's share of the image: what a map indifferent to the marker puts there.
    expect(shortcut.markerMass[method]!).toBeGreaterThan(3 * shortcut.boxShare);
    // The honest model's maps of the same images put much less there (the marker's pixels are the only difference).
    expect(shortcut.markerMass[method]!).toBeGreaterThan(3 * honest.markerMass[method]!);
  });

  it('the verdict table fails utility for every method: the U-Net localizes significantly better', () => {
    expect(shortcut.utility.map((v) => v.method).sort()).toEqual([...SHORTCUT_METHODS].sort());
    for (const verdict of shortcut.utility) {
      expect(verdict.pass).toBe(false);
      expect(verdict.numbers).toMatchObject({ network: 'unet' });
      const numbers = verdict.numbers as { pValue: number; alpha: number; networkMeanAuprc: number; meanAuprc: number };
      expect(numbers.pValue).toBeLessThan(numbers.alpha);
      expect(numbers.networkMeanAuprc).toBeGreaterThan(numbers.meanAuprc);
    }
  });
});
