import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 80, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('prints throttled plain lines with ETA when not a TTY, and always the final line', () => {
    const { chunks, stream } = fakeStream(false);
    let t = 0;
    const p = createProgress({ mode: 'auto', stream, now: () => t, plainIntervalSeconds: 5 });
    p({ stage: 'explain', done: 0, total: 10 });
    t = 1000;
    p({ stage: 'explain', done: 1, total: 10 }); // throttled
    t = 6000;
    p({ stage: 'explain', done: 3, total: 10 });
    t = 20_000;
    p({ stage: 'explain', done: 10, total: 10 });
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe('explain: 3/10 (30%) ETA 14s\n');
    expect(chunks[2]).toBe('explain: 10/10 (100%) in 20s\n');
  });

  it('redraws one line with a bar on a TTY, json emits objects, quiet emits nothing', () => {
    const tty = fakeStream(true);
    const p = createProgress({ mode: 'auto', stream: tty.stream, now: () => 0 });
    p({ stage: 'train', done: 1, total: 2 });
    expect(tty.chunks[0]!.startsWith('\r\u001b[2Ktrain [############------------] 1/2')).toBe(true);
    const json = fakeStream(false);
    createProgress({ mode: 'json', stream: json.stream })({ stage: 's', done: 1, total: 1 });
    expect(JSON.parse(json.chunks[0]!)).toEqual({ type: 'progress', stage: 's', done: 1, total: 1 });
    const quiet = fakeStream(false);
    createProgress({ mode: 'quiet', stream: quiet.stream })({ stage: 's', done: 1, total: 1 });
    expect(quiet.chunks).toEqual([]);
  });
});
