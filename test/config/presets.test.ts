import { describe, expect, it } from 'vitest';
import { configMethodIds, criteriaSettings, methodOptions, resolveConfig, type AuditConfig } from '../../src/config/index.js';
import { saliencyMethodIds } from '../../src/saliency/index.js';
import { minimalFile } from './helpers.js';

const resolve = (preset: string) => resolveConfig({ preset, file: { source: 'config.json', data: minimalFile } });

function leaves(value: unknown, path = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  }
  return [path];
}

describe('presets', () => {
  it('arun2021 resolves to the paper choices', () => {
    const { config, preset } = resolve('arun2021');
    expect(preset).toBe('arun2021');
    expect(config.dataset).toMatchObject({ imageSize: 320, boxRule: 'arun2021' });
    expect(config.saliency.methods).toEqual([...saliencyMethodIds]);
    expect(config.saliency.options['integrated-gradients']).toEqual({ steps: 10, baseline: 'black', rule: 'pair' });
    expect(config.saliency.options.smoothgrad).toEqual({ samples: 25, noiseFraction: 0.15, magnitude: true });
    expect(config.saliency.options['smooth-ig']).toMatchObject({ steps: 10, samples: 25, noiseFraction: 0.15 });
    expect(config.saliency.options.xrai).toMatchObject({ steps: 100, scales: [50, 100, 150, 250, 500, 1200], resizeTo: 224 });
    expect(config.saliency).toMatchObject({ target: 'predicted', commonRandomNumbers: false });
    expect(config.saliency.postprocess).toEqual({ sign: 'abs', channels: 'sum', clipPercentile: 99, minMax: true, degenerate: 'nan' });
    expect(config.criteria.ssim).toMatchObject({ window: 'box', winSize: 7, sampleCovariance: true, dataRange: 2 });
    expect(config.images).toEqual({ count: 100, selection: 'arun2021', seed: 1 });
    expect(config.criteria.randomization.baseline).toMatchObject({ scheme: 'arun2021', pairsPerImage: 50, replicates: 'first' });
    expect(config.criteria.randomization).toMatchObject({ rule: 'paper', replicateSd: 'population' });
    expect(config.criteria.statistics).toMatchObject({ alpha: 0.005 });
    expect(config.models.training.learningRate).toBe(7e-5);
  });

  it('recommended corrects the paper defects', () => {
    const { config } = resolve('recommended');
    expect(config.criteria.ssim.dataRange).toBe(1);
    expect(config.saliency).toMatchObject({ target: 'label', commonRandomNumbers: true });
    expect(config.images.count).toBe('all');
    expect(config.criteria.randomization.baseline).toMatchObject({ scheme: 'uniform', replicates: 'all' });
    expect(config.criteria.statistics.correction).toBe('holm');
    expect(config.criteria.consistency.rule).toBe('both');
  });

  it('uses recommended by default and the file preset when no flag is given', () => {
    expect(resolveConfig({ file: { source: 'c.json', data: minimalFile } }).preset).toBe('recommended');
    expect(resolveConfig({ file: { source: 'c.json', data: { ...minimalFile, preset: 'arun2021' } } }).config.criteria.ssim.dataRange).toBe(2);
    expect(resolveConfig({ preset: 'recommended', file: { source: 'c.json', data: { ...minimalFile, preset: 'arun2021' } } }).preset).toBe('recommended');
  });

  it('records the source of every resolved option', () => {
    const { config, sources } = resolve('arun2021');
    for (const path of leaves(config)) expect(sources[path], path).toBeDefined();
    expect(sources['criteria.ssim.dataRange']).toBe('preset arun2021');
    expect(sources['dataset.format']).toBe('config.json');
  });

  it('lists exactly the registry methods and their option keys', () => {
    expect([...configMethodIds]).toEqual([...saliencyMethodIds]);
  });

  it('maps a config to the criteria and method options', () => {
    const { config } = resolve('arun2021');
    const s = criteriaSettings(config, 11);
    expect(s.ssim).toEqual({ window: 'box', winSize: 7, sigma: 1.5, truncate: 3.5, sampleCovariance: true, k1: 0.01, k2: 0.03, dataRange: 2 });
    expect(s.localizationSsim.dataRange).toBe(1);
    expect(s.baseline).toEqual({ scheme: 'arun2021', pairsPerImage: 50, pairs: 5000, replicates: 'first', seed: 11 });
    expect(s.statistics).toMatchObject({ alpha: 0.005, test: 'wilcoxon', seed: 11 });
    expect(s.randomization).not.toHaveProperty('testState');
    expect(s.selection).toEqual({ method: 'arun2021', count: 100, seed: 1 });
    expect(s.localization.binarize).toEqual({ method: 'otsu' });
    expect(s.groundTruth.boxRule).toBe('arun2021');
    const sg = methodOptions(config as AuditConfig, 'smoothgrad', 5);
    expect(sg).toMatchObject({ samples: 25, seed: 5, commonRandomNumbers: false, batchSize: 32 });
    expect(methodOptions(config, 'grad-cam')).not.toHaveProperty('seed');
  });
});
