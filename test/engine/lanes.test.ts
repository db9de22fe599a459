/**
 * Engine lanes: calls split over worker threads give exactly the main thread's results; lane failures
 * are reported; an undisposed model does not keep the process alive.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Batch, makeBatch } from '../../src/core/batch.js';
import { loadOnnxModel, type OnnxModel } from '../../src/engine/index.js';
import { LaneFailure, LanePool } from '../../src/engine/lanes.js';
import { shareGraph } from '../../src/engine/shared-graph.js';
import { convModel, tinyInceptionPath } from './models.js';

function images(n: number, size: number): Batch {
  const data = new Float32Array(n * 3 * size * size);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.013) * 0.9 + Math.cos(i * 0.0007) * 0.1;
  return makeBatch(data, [n, 3, size, size]);
}

const same = (a: Float32Array, b: Float32Array): void => expect(Array.from(a)).toEqual(Array.from(b));

describe('engine lanes', () => {
  let laned: OnnxModel;
  let single: OnnxModel;
  const batch = images(5, 64);
  const targets = [0, 1, 1, 0, 1];
  beforeAll(async () => {
    laned = await loadOnnxModel(tinyInceptionPath, { threads: 2, lanes: 2 });
    single = await loadOnnxModel(tinyInceptionPath, { threads: 2, lanes: 1 });
  });
  afterAll(async () => {
    await laned.dispose();
    await single.dispose();
  });

  it('give bitwise the results of one main-thread session for every pass', async () => {
    same((await laned.predict(batch)).data, (await single.predict(batch)).data);
    const a = await laned.inputGradients(batch, targets);
    const b = await single.inputGradients(batch, targets);
    same(a.gradients.data, b.gradients.data);
    same(a.logits.data, b.logits.data);
    same((await laned.guidedGradients(batch, targets)).gradients.data, (await single.guidedGradients(batch, targets)).gradients.data);
    const la = await laned.layerGradients(batch, 'predicted', ['mixed1'], { inputGradient: true });
    const lb = await single.layerGradients(batch, 'predicted', ['mixed1'], { inputGradient: true });
    expect(Array.from(la.targets!)).toEqual(Array.from(lb.targets!));
    same(la.gradients['mixed1']!.data, lb.gradients['mixed1']!.data);
    same(la.activations['mixed1']!.data, lb.activations['mixed1']!.data);
    same(la.inputGradients!.data, lb.inputGradients!.data);
  });

  it('build each multi-row variant on every lane and one-row calls on the main thread', async () => {
    await laned.inputGradients(batch, targets);
    // Five rows on two lanes: two sub-batches, three and two rows.
    expect(laned.stats().batching['input-gradient@64x64']!.subBatch).toBe(3);
    const one = images(1, 64);
    const a = await laned.inputGradients(one, [1]);
    const b = await single.inputGradients(one, [1]);
    same(a.gradients.data, b.gradients.data);
    const stats = laned.stats();
    expect(stats.lanes).toBe(2);
    const builds = stats.builds.filter((x) => x.variant === 'input-gradient');
    expect(builds.map((x) => x.lanes).sort()).toEqual([1, 2]);
    expect(single.stats().builds.every((x) => x.lanes === 1)).toBe(true);
  });

  it('default to one: every call on the main thread', async () => {
    const model = await loadOnnxModel(tinyInceptionPath, { threads: 2 });
    try {
      await model.inputGradients(batch, targets);
      expect(model.stats().lanes).toBe(1);
      expect(model.stats().builds.map((x) => x.lanes)).toEqual([1]);
    } finally {
      await model.dispose();
    }
  });

  it('are capped by the thread count', async () => {
    const model = await loadOnnxModel(tinyInceptionPath, { threads: 1, lanes: 4 });
    try {
      expect(model.stats().lanes).toBe(1);
    } finally {
      await model.dispose();
    }
  });

  it('release least recently used sessions on every lane and rebuild them on demand', async () => {
    const model = await loadOnnxModel(tinyInceptionPath, { threads: 2, lanes: 2, maxSessions: 1 });
    try {
      const first = await model.predict(batch);
      await model.inputGradients(batch, targets);
      const again = await model.predict(batch);
      same(again.data, first.data);
      const stats = model.stats();
      expect(stats.liveSessions).toBe(1);
      expect(stats.evictions).toBe(2);
      expect(stats.builds.filter((b) => b.variant === 'forward').map((b) => b.lanes)).toEqual([2, 2]);
    } finally {
      await model.dispose();
    }
  });

  it('run a fixed-batch model in padded chunks spread over the lanes', async () => {
    const fixed = await loadOnnxModel(convModel([1, 3, 8, 8]), { threads: 2, lanes: 2 });
    const main = await loadOnnxModel(convModel([1, 3, 8, 8]), { threads: 2, lanes: 1 });
    try {
      const b = images(3, 8);
      same((await fixed.inputGradients(b, [0, 1, 1])).gradients.data, (await main.inputGradients(b, [0, 1, 1])).gradients.data);
      expect(fixed.stats().runs['input-gradient']!.calls).toBe(3);
      expect(fixed.stats().builds.find((x) => x.variant === 'input-gradient')!.lanes).toBe(2);
    } finally {
      await fixed.dispose();
      await main.dispose();
    }
  });
});

describe('lanes on weights moved to shared memory', () => {
  it('give bitwise the main thread\'s gradients and report the one optimisation', async () => {
    const bytes = convModel(['n', 3, 8, 8], undefined, [], 1024); // a 108 KiB conv weight goes external
    const laned = await loadOnnxModel(bytes, { threads: 2, lanes: 2 });
    const main = await loadOnnxModel(bytes, { threads: 2, lanes: 1 });
    try {
      const b = images(4, 8);
      const g = (await laned.inputGradients(b, [0, 1, 1, 0])).gradients.data;
      expect(g.some((v) => v !== 0)).toBe(true);
      same(g, (await main.inputGradients(b, [0, 1, 1, 0])).gradients.data);
      const build = laned.stats().builds.find((x) => x.variant === 'input-gradient' && x.lanes === 2)!;
      expect(build.shareMs).toBeGreaterThan(0);
      expect(main.stats().builds.every((x) => x.shareMs === 0)).toBe(true);
    } finally {
      await laned.dispose();
      await main.dispose();
    }
  });
});

describe('lane pool', () => {
  it('reports a refused graph, an unknown session and a failed run, and refuses work once closed', async () => {
    const pool = new LanePool({ lanes: 2, threadsPerLane: 1, cpuArena: true, profilePrefix: undefined });
    try {
      await expect(pool.build('bad', { model: new TextEncoder().encode('not a model'), weights: undefined })).rejects.toBeInstanceOf(LaneFailure);
      await expect(pool.run(0, 'missing', {}, ['y'])).rejects.toThrow(/no session missing on lane 0/);
      await pool.build('conv', await shareGraph(convModel(['n', 3, 8, 8]), 1));
      const wrong = { data: new Float32Array(2 * 8 * 8), dims: [1, 2, 8, 8] };
      const err = await pool.run(1, 'conv', { x: wrong }, ['y']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LaneFailure);
    } finally {
      await pool.close();
    }
    await expect(pool.run(0, 'conv', {}, ['y'])).rejects.toThrow(/exited/);
  });
});

describe('process exit', () => {
  it('is not held up by the lanes of a model that was never disposed', () => {
    const script = `
      import { loadOnnxModel } from ${JSON.stringify(new URL('../../src/engine/index.ts', import.meta.url).href)};
      const model = await loadOnnxModel(${JSON.stringify(tinyInceptionPath)}, { threads: 2, lanes: 2 });
      const x = new Float32Array(2 * 3 * 64 * 64).fill(0.5);
      const out = await model.inputGradients({ data: x, shape: [2, 3, 64, 64] }, [0, 1]);
      console.log('rows', out.gradients.shape[0]);
    `;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.stdout).toContain('rows 2');
    expect(result.status).toBe(0);
  });
});
