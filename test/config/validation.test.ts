import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { configErrorCodes, configErrors, configMethodIds, configProblems, parseConfigText, parseSetOverride, resolveConfig, validateConfig } from '../../src/config/index.js';
import { fileWith, minimalFile } from './helpers.js';

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const firstLine = (e: Error): string => e.message.split('\n')[0]!;

describe('config validation messages', () => {
  it('names the file and path of an unknown method and lists the valid ones', () => {
    const e = errorOf(() => resolveConfig({ file: fileWith({ saliency: { methods: ['gradient', 'smoothgrad', 'gradcam++'] } }) }));
    expect(e).toMatchObject({ code: configErrorCodes.unknownMethod, file: 'config.json', path: 'saliency.methods[2]' });
    expect(firstLine(e)).toBe(`config.json › saliency.methods[2]: unknown method "gradcam++"; expected one of ${configMethodIds.join(', ')}`);
    expect(e.message).toBe(configErrors.unknownMethod({ file: 'config.json', path: 'saliency.methods[2]' }, 'gradcam++', configMethodIds).message);
  });

  it('rejects unknown method option keys and unknown fields, listing the allowed ones', () => {
    const m = errorOf(() => resolveConfig({ file: fileWith({ saliency: { options: { 'grad-cam++': {} } } }) }));
    expect(m).toMatchObject({ code: configErrorCodes.unknownMethod, path: 'saliency.options.grad-cam++' });
    const f = errorOf(() => resolveConfig({ file: fileWith({ images: { cout: 10 } }) }));
    expect(f).toMatchObject({ code: configErrorCodes.unknownField, path: 'images.cout' });
    expect(firstLine(f)).toBe('config.json › images.cout: unknown field "cout"; expected one of count, selection, seed');
    const top = errorOf(() => resolveConfig({ file: fileWith({ sed: 3 }) }));
    expect(top).toMatchObject({ code: configErrorCodes.unknownField, path: 'sed' });
  });

  it('requires dataRange whenever SSIM settings are given', () => {
    const e = errorOf(() => resolveConfig({ file: fileWith({ criteria: { ssim: { window: 'box', winSize: 7 } } }) }));
    expect(e).toMatchObject({ code: configErrorCodes.missingField, file: 'config.json', path: 'criteria.ssim.dataRange' });
    expect(e.hint).toMatch(/2 reproduces the paper/);
    const cli = errorOf(() => resolveConfig({ file: fileWith({}), overrides: [parseSetOverride('criteria.ssim.winSize=11')] }));
    expect(cli).toMatchObject({ file: '--set criteria.ssim.winSize=11', path: 'criteria.ssim.dataRange' });
    expect(resolveConfig({ file: fileWith({ criteria: { ssim: { dataRange: 1, winSize: 9 } } }) }).config.criteria.ssim).toMatchObject({ dataRange: 1, winSize: 9, window: 'box' });
  });

  it('reports wrong types, choices and ranges with the expected values', () => {
    const t = errorOf(() => resolveConfig({ file: fileWith({ seed: 'one' }) }));
    expect(firstLine(t)).toBe('config.json › seed: expected a number, got string "one"');
    const c = errorOf(() => resolveConfig({ file: fileWith({ saliency: { target: 'truth' } }) }));
    expect(firstLine(c)).toBe('config.json › saliency.target: "truth" is not allowed; expected one of predicted, label');
    const r = errorOf(() => resolveConfig({ file: fileWith({ criteria: { statistics: { alpha: 1.5 } } }) }));
    expect(r).toMatchObject({ code: configErrorCodes.outOfRange, path: 'criteria.statistics.alpha' });
    const u = errorOf(() => resolveConfig({ file: fileWith({ images: { count: 'many' } }) }));
    expect(firstLine(u)).toBe('config.json › images.count: expected a number or "all", got string "many"');
    const p = errorOf(() => resolveConfig({ file: fileWith({ preset: 'paper' }) }));
    expect(p).toMatchObject({ code: configErrorCodes.unknownPreset, path: 'preset' });
  });

  it('checks cross-field rules and each method with its own validation', () => {
    const root = errorOf(() => resolveConfig({ file: fileWith({ dataset: { format: 'siim' } }) }));
    expect(root).toMatchObject({ code: configErrorCodes.missingField, path: 'dataset.root' });
    const one = errorOf(() => resolveConfig({ file: fileWith({ models: { ...minimalFile.models, replicates: { name: 'x', architecture: 'small-cnn', models: [{ train: { seed: 1 } }] } } }) }));
    expect(one).toMatchObject({ code: configErrorCodes.invalid, path: 'models.replicates.models' });
    const arch = errorOf(() => resolveConfig({ file: fileWith({ models: { ...minimalFile.models, others: [{ name: 'x', models: [{ train: { seed: 1 } }] }] } }) }));
    expect(arch).toMatchObject({ code: configErrorCodes.missingField, path: 'models.others[0].architecture' });
    const source = errorOf(() => resolveConfig({ file: fileWith({ models: { ...minimalFile.models, others: [{ name: 'x', models: [{ onnx: 3 }] }] } }) }));
    expect(source).toMatchObject({ code: configErrorCodes.wrongType, path: 'models.others[0].models[0].onnx' });
    const twice = errorOf(() => resolveConfig({ file: fileWith({ saliency: { methods: ['xrai', 'xrai'] } }) }));
    expect(twice).toMatchObject({ code: configErrorCodes.invalid, path: 'saliency.methods[1]' });
    const ig = errorOf(() => resolveConfig({ file: fileWith({ saliency: { options: { 'integrated-gradients': { steps: 1, rule: 'trapezoid' } } } }) }));
    expect(ig).toMatchObject({ code: configErrorCodes.invalid, path: 'saliency.options.integrated-gradients' });
  });

  it('lists the other problems in the hint of the first', () => {
    const e = errorOf(() => resolveConfig({ file: fileWith({ seed: -1, saliency: { target: 'x' } }) }));
    expect(e.hint).toMatch(/1 more problem/);
    expect(configProblems({})).not.toHaveLength(0);
  });

  it('applies overrides after the file and names the command line in errors', () => {
    const r = resolveConfig({ file: fileWith({ seed: 3 }), overrides: [parseSetOverride('seed=4'), parseSetOverride('saliency.methods=["grad-cam","xrai"]'), parseSetOverride('output.dir=/tmp/run')] });
    expect(r.config.seed).toBe(4);
    expect(r.config.saliency.methods).toEqual(['grad-cam', 'xrai']);
    expect(r.config.output.dir).toBe('/tmp/run');
    expect(r.sources.seed).toBe('--set seed=4');
    const e = errorOf(() => resolveConfig({ file: fileWith({}), overrides: [parseSetOverride('criteria.statistics.test=anova')] }));
    expect(e.file).toBe('--set criteria.statistics.test=anova');
    expect(errorOf(() => parseSetOverride('seed')).code).toBe(configErrorCodes.badOverride);
    expect(errorOf(() => parseSetOverride('a..b=1')).code).toBe(configErrorCodes.badOverride);
  });

  it('takes engine threads and lanes as positive integers or null (the default), also from --set', () => {
    expect(resolveConfig({ file: fileWith({}) }).config.engine).toEqual({ threads: null, lanes: null });
    expect(resolveConfig({ file: fileWith({}), overrides: [parseSetOverride('engine.lanes=1')] }).config.engine).toEqual({ threads: null, lanes: 1 });
    expect(errorOf(() => resolveConfig({ file: fileWith({ engine: { lanes: 0 } }) })).path).toBe('engine.lanes');
    expect(errorOf(() => resolveConfig({ file: fileWith({ engine: { threads: 1.5 } }) })).path).toBe('engine.threads');
  });

  it('parses JSON text with file and line in errors, and refuses YAML', () => {
    expect(parseConfigText('{"seed": 2}', 'c.json').data).toEqual({ seed: 2 });
    const bad = errorOf(() => parseConfigText('{\n  "seed": 1,\n}', 'c.json'));
    expect(bad).toMatchObject({ code: configErrorCodes.invalidJson, file: 'c.json' });
    expect(firstLine(bad)).toMatch(/^c\.json: not valid JSON at line 3, column 1/);
    expect(errorOf(() => parseConfigText('[]', 'c.json')).code).toBe(configErrorCodes.notAnObject);
    expect(errorOf(() => parseConfigText('seed: 1', 'c.yaml')).code).toBe(configErrorCodes.yamlUnsupported);
  });

  it('validates a resolved config read back as data', () => {
    const { config } = resolveConfig({ file: fileWith({}) });
    expect(validateConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
    expect(errorOf(() => validateConfig({ ...config, seed: 'x' }, 'results.json'))).toMatchObject({ file: 'results.json', path: 'seed' });
  });
});
