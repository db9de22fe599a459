import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { cleanInterrupted, orderSteps, runPlan, type Step } from '../../src/jobs/runner.js';
import { killPoints, runScript } from '../helpers/kill-resume.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'heatcheck-jobs-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function plan(calls: string[], scale = 2): Step[] {
  return [
    {
      id: 'a',
      stage: 'make',
      key: { n: 3 },
      async run(ctx) {
        calls.push('a');
        await writeFile(path.join(ctx.dir, 'values.txt'), '1,2,3');
        return [1, 2, 3];
      },
    },
    {
      id: 'b',
      stage: 'scale',
      key: { scale },
      deps: ['a'],
      async run(ctx) {
        calls.push('b');
        return (ctx.deps.a as number[]).map((v) => v * scale);
      },
    },
    {
      id: 'c',
      stage: 'sum',
      key: {},
      deps: ['b'],
      async run(ctx) {
        calls.push('c');
        return (ctx.deps.b as number[]).reduce((s, v) => s + v, 0);
      },
    },
  ];
}

describe('runPlan', () => {
  it('computes in dependency order, then reuses every step on a re-run', async () => {
    const runDir = await tempDir();
    const calls: string[] = [];
    const first = await runPlan(plan(calls).reverse(), { runDir, codeVersion: '1' });
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(first.get('c')!.value).toBe(12);
    expect(await readFile(path.join(first.get('a')!.dir, 'values.txt'), 'utf8')).toBe('1,2,3');
    const again = await runPlan(plan(calls), { runDir, codeVersion: '1' });
    expect(calls).toEqual(['a', 'b', 'c']);
    expect([...again.values()].every((r) => r.cached)).toBe(true);
    expect(again.get('c')!.value).toBe(12);
  });

  it('recomputes only the steps downstream of a changed key, and everything for a new code version', async () => {
    const runDir = await tempDir();
    const calls: string[] = [];
    await runPlan(plan(calls, 2), { runDir, codeVersion: '1' });
    calls.length = 0;
    const changed = await runPlan(plan(calls, 5), { runDir, codeVersion: '1' });
    expect(calls).toEqual(['b', 'c']);
    expect(changed.get('c')!.value).toBe(30);
    calls.length = 0;
    await runPlan(plan(calls, 5), { runDir, codeVersion: '2' });
    expect(calls).toEqual(['a', 'b', 'c']);
  });

  it('leaves nothing behind when a step fails, and rejects bad plans', async () => {
    const runDir = await tempDir();
    const failing: Step[] = [{ id: 'x', stage: 's', key: 1, run: async () => Promise.reject(new Error('boom')) }];
    await expect(runPlan(failing, { runDir, codeVersion: '1' })).rejects.toThrow('boom');
    expect(await readdir(path.join(runDir, 'steps', 's'))).toEqual([]);
    const cyc: Step[] = [
      { id: 'p', stage: 's', key: 1, deps: ['q'], run: async () => 1 },
      { id: 'q', stage: 's', key: 1, deps: ['p'], run: async () => 1 },
    ];
    expect(() => orderSteps(cyc)).toThrow(UsageError);
    expect(() => orderSteps([{ id: 'p', stage: 's', key: 1, deps: ['zz'], run: async () => 1 }])).toThrow(/unknown step "zz"/);
  });

  it('resumes after kill -9 at random moments to the same results as an uninterrupted run', async () => {
    const script = path.join(import.meta.dirname, 'fixtures', 'slow-plan.ts');
    const reference = await runScript(script, [await tempDir()]);
    expect(reference.stdout).toMatch(/^result /m);
    const rng = createRng(11);
    let interrupted = 0;
    for (const killAfterMs of killPoints(reference.ms, 3, () => rng.uniform())) {
      const runDir = await tempDir();
      const killed = await runScript(script, [runDir], killAfterMs);
      if (!/^result /m.test(killed.stdout)) interrupted++;
      await cleanInterrupted(runDir);
      const resumed = await runScript(script, [runDir]);
      expect(resumed.stdout.match(/^result .*$/m)?.[0]).toBe(reference.stdout.match(/^result .*$/m)?.[0]);
    }
    // The test means something only if the kills landed mid-run.
    expect(interrupted).toBeGreaterThan(0);
  });
});
