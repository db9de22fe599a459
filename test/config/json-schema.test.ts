import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configReference, presets, resolveConfig } from '../../src/config/index.js';
import { minimalFile } from './helpers.js';

describe('config JSON Schema', () => {
  const schema = configJsonSchema();
  // ajv 6 reads draft-07, the target the schema is generated for.
  const validate = new Ajv({ allErrors: true }).compile(schema);

  it('is generated from the zod schema and accepts both presets and a resolved config', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(validate(presets.arun2021)).toBe(true);
    expect(validate(presets.recommended)).toBe(true);
    expect(validate(minimalFile)).toBe(true);
    expect(validate(JSON.parse(JSON.stringify(resolveConfig({ file: { source: 'c.json', data: minimalFile } }).config)))).toBe(true);
  });

  it('rejects unknown fields, unknown methods and wrong types', () => {
    expect(validate({ sed: 1 })).toBe(false);
    expect(validate({ saliency: { methods: ['gradcam++'] } })).toBe(false);
    expect(validate({ criteria: { ssim: { dataRange: 'two' } } })).toBe(false);
  });

  it('generates a reference table with both presets', () => {
    const reference = configReference();
    expect(reference).toMatch(/\| `criteria\.ssim\.dataRange` \| number \| `2` \| `1` \|/);
    expect(reference).toMatch(/`images\.count`/);
    // docs/config.md embeds the generated table; regenerate it when this fails.
    expect(readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8')).toContain(reference);
  });

  it('freezes the presets all the way down', () => {
    expect(Object.isFrozen(presets.arun2021.criteria!.ssim)).toBe(true);
  });
});
