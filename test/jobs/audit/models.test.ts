/** The audit's engine settings as engine options: null leaves the engine's default. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/index.js';
import { engineOptions } from '../../../src/jobs/audit/models.js';
import { fileWith } from '../../config/helpers.js';

describe('engineOptions', () => {
  it('passes only the settings the config gives', () => {
    const config = (engine: object) => resolveConfig({ file: fileWith({ engine }) }).config;
    expect(engineOptions(config({}))).toEqual({});
    expect(engineOptions(config({ lanes: 1 }))).toEqual({ lanes: 1 });
    expect(engineOptions(config({ threads: 2, lanes: 2 }))).toEqual({ threads: 2, lanes: 2 });
  });
});
