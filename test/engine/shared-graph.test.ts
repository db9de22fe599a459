/**
 * Graphs optimised once for the lanes: same results as a session on the original graph, large weights
 * moved into shared memory, nothing left behind in the temporary folder, and a typed error without one.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { HeatcheckError } from '../../src/core/errors.js';
import { ortSessionOptions, runOnSession, sessionOnShared } from '../../src/engine/ort-session.js';
import { shareGraph } from '../../src/engine/shared-graph.js';
import { convModel, tinyInceptionPath } from './models.js';

const root = mkdtempSync(join(tmpdir(), 'heatcheck-shared-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('shareGraph', () => {
  it('moves weights of 64 KiB and more into a SharedArrayBuffer, runs bitwise like the original, and leaves no files', async () => {
    const bytes = convModel(['n', 3, 8, 8], undefined, [], 1024); // a 108 KiB conv weight
    const shared = await shareGraph(bytes, 1, root);
    expect(readdirSync(root)).toEqual([]);
    expect(shared.weights?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.weights!.byteLength).toBeGreaterThanOrEqual(1024 * 27 * 4);
    expect(shared.model.byteLength).toBeLessThan(bytes.byteLength / 4);
    const session = await sessionOnShared(shared, 1, true, undefined, 'conv');
    const plain = await ort.InferenceSession.create(bytes, ortSessionOptions(1, true, undefined, 'plain'));
    try {
      const x = { data: new Float32Array(2 * 3 * 8 * 8).map((_, i) => Math.cos(i * 0.21)), dims: [2, 3, 8, 8] };
      const y = (await runOnSession(session, { x }, ['y'])).y!;
      expect(y.dims).toEqual([2, 2]);
      expect(y.data.some((v) => v !== 0)).toBe(true);
      expect(Array.from(y.data)).toEqual(Array.from((await runOnSession(plain, { x }, ['y'])).y!.data));
    } finally {
      await session.release();
      await plain.release();
    }
  });

  it('runs bitwise like the original graph (the tiny Inception, whose small weights stay in the graph)', async () => {
    const bytes = new Uint8Array(readFileSync(tinyInceptionPath));
    const shared = await shareGraph(bytes, 1, root);
    expect(shared.weights).toBeUndefined();

    const plain = await ort.InferenceSession.create(bytes, ortSessionOptions(1, true, undefined, 'plain'));
    const optimised = await sessionOnShared(shared, 1, true, undefined, 'shared');
    try {
      const x = new Float32Array(2 * 3 * 64 * 64).map((_, i) => Math.sin(i * 0.37));
      const feeds = { [plain.inputNames[0]!]: { data: x, dims: [2, 3, 64, 64] } };
      const fetch = [plain.outputNames[0]!];
      const a = await runOnSession(plain, feeds, fetch);
      const b = await runOnSession(optimised, feeds, fetch);
      expect(Array.from(b[fetch[0]!]!.data)).toEqual(Array.from(a[fetch[0]!]!.data));
    } finally {
      await plain.release();
      await optimised.release();
    }
  });

  it('says what to do when it cannot create its temporary folder', async () => {
    const err = await shareGraph(new Uint8Array(readFileSync(tinyInceptionPath)), 1, join(root, 'missing', 'deeper')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeatcheckError);
    expect((err as HeatcheckError).code).toBe('engine-temp-folder');
    expect((err as HeatcheckError).hint).toMatch(/TMPDIR/);
  });

  it('removes its folder when onnxruntime refuses the graph', async () => {
    await expect(shareGraph(new TextEncoder().encode('not a model'), 1, root)).rejects.toThrow();
    expect(readdirSync(root)).toEqual([]);
  });
});
