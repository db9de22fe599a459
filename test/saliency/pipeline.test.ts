import { describe, expect, it } from 'vitest';
import { pipelined, whileRunning } from '../../src/saliency/pipeline.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('pipelined chunks', () => {
  it('runs passes one at a time and in order, folds results in order, and builds the next chunk during a pass', async () => {
    const events: string[] = [];
    let running = 0;
    const folded: number[] = [];
    await pipelined<number, number>(4, {
      prepare: async (k) => {
        events.push(`prepare ${k}`);
        await tick(1);
        return k * 10;
      },
      run: async (p, k) => {
        expect(running).toBe(0);
        running++;
        events.push(`run ${k}`);
        await tick(5);
        running--;
        events.push(`ran ${k}`);
        return p + 1;
      },
      consume: (result, p, k) => {
        expect(result).toBe(p + 1);
        folded.push(k);
        events.push(`consume ${k}`);
      },
    });
    expect(folded).toEqual([0, 1, 2, 3]);
    // Chunk 1 is built while pass 0 runs, and chunk 0 is folded in while pass 1 runs.
    expect(events.indexOf('prepare 1')).toBeLessThan(events.indexOf('ran 0'));
    expect(events.indexOf('consume 0')).toBeLessThan(events.indexOf('ran 1'));
    expect(events.filter((e) => e.startsWith('run'))).toEqual(['run 0', 'run 1', 'run 2', 'run 3']);
  });

  it('does nothing for no chunks', async () => {
    let calls = 0;
    await pipelined(0, {
      prepare: () => calls++,
      run: async () => calls++,
      consume: () => void calls++,
    });
    expect(calls).toBe(0);
  });

  it('rethrows a failed pass, even one that failed while the next chunk was being built', async () => {
    const started: number[] = [];
    const run = pipelined<number, number>(3, {
      prepare: async (k) => {
        await tick(10);
        return k;
      },
      run: async (p) => {
        started.push(p);
        if (p === 0) throw new Error('pass 0 failed');
        return p;
      },
      consume: () => undefined,
    });
    await expect(run).rejects.toThrow('pass 0 failed');
    expect(started).toEqual([0]);
  });

  it('waits for the running pass before rethrowing a failed build', async () => {
    let passDone = false;
    const run = pipelined<number, number>(2, {
      prepare: async (k) => {
        if (k === 1) throw new Error('build 1 failed');
        return k;
      },
      run: async (p) => {
        await tick(10);
        passDone = true;
        return p;
      },
      consume: () => undefined,
    });
    await expect(run).rejects.toThrow('build 1 failed');
    expect(passDone).toBe(true);
  });
});

describe('whileRunning', () => {
  it('returns the pass and the work, and rethrows a pass that failed during the work', async () => {
    expect(await whileRunning(Promise.resolve(1), async () => 'w')).toEqual([1, 'w']);
    const failing = (async () => {
      await tick(1);
      throw new Error('pass failed');
    })();
    await expect(whileRunning(failing, () => tick(10).then(() => 'w'))).rejects.toThrow('pass failed');
  });

  it('waits for the pass before rethrowing failed work', async () => {
    let passDone = false;
    const pass = tick(10).then(() => {
      passDone = true;
    });
    await expect(whileRunning(pass, async () => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    expect(passDone).toBe(true);
  });
});
