/** The audit's engine settings as engine options: threads null leaves the engine's default, lanes null is the jobs' own. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/index.js';
import { defaultLanes, jobLanes } from '../../../src/engine/index.js';
import { engineOptions } from '../../../src/jobs/audit/models.js';
import { fileWith } from '../../config/helpers.js';

describe('engineOptions', () => {
  it('passes the settings the config gives, and the jobs\' lanes (not the engine\'s) when it gives none', () => {
    const config = (engine: object) => resolveConfig({ file: fileWith({ engine }) }).config;
    expect(jobLanes).not.toBe(defaultLanes);
    expect(engineOptions(config({}))).toEqual({ lanes: jobLanes });
    expect(engineOptions(config({ lanes: 1 }))).toEqual({ lanes: 1 });
    expect(engineOptions(config({ threads: 2, lanes: 2 }))).toEqual({ threads: 2, lanes: 2 });
  });
});
