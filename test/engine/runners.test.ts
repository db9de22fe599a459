import { describe, expect, it } from 'vitest';
import { eachOnRunners } from '../../src/engine/runners.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('eachOnRunners', () => {
  it('runs every item once, at most `width` at a time, each runner on its own items', async () => {
    const seen: [number, number][] = [];
    let running = 0;
    let most = 0;
    await eachOnRunners([0, 1, 2, 3, 4, 5, 6], 2, async (item, runner) => {
      running++;
      most = Math.max(most, running);
      await tick(item % 3);
      seen.push([item, runner]);
      running--;
    });
    expect(seen.map(([i]) => i).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(2);
    expect(new Set(seen.map(([, r]) => r))).toEqual(new Set([0, 1]));
  });

  it('uses one runner for width 1 and none for no items', async () => {
    const order: number[] = [];
    await eachOnRunners([3, 1, 2], 1, async (item, runner) => {
      expect(runner).toBe(0);
      order.push(item);
    });
    expect(order).toEqual([3, 1, 2]);
    let calls = 0;
    await eachOnRunners([], 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });

  it('starts nothing after a failure and throws it once the running items have settled', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = eachOnRunners([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error('item 1 failed');
      await tick(5);
      settled++;
    });
    await expect(run).rejects.toThrow('item 1 failed');
    // Item 0 was running when item 1 failed: it finished before the call returned, and no later item began.
    expect(settled).toBe(started.length - 1);
    expect(started).toEqual([0, 1]);
  });
});
