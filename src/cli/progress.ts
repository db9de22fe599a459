/**
 * Progress on stderr: on a TTY one redrawn line per stage with a bar, counts and ETA; otherwise
 * plain lines, at most one per stage every few seconds (and at stage end), so logs stay readable.
 * `--quiet` silences it; `--json` prints one JSON object per event instead.
 */
import type { ProgressEvent, ProgressReporter } from '../core/types.js';

export interface ProgressOptions {
  readonly mode: 'auto' | 'tty' | 'plain' | 'json' | 'quiet';
  readonly stream?: NodeJS.WriteStream;
  /** Minimum seconds between plain lines of the same stage. */
  readonly plainIntervalSeconds?: number;
  /** Clock in ms (injectable for tests). */
  readonly now?: () => number;
}

interface StageState {
  start: number;
  lastPrint: number;
}

/** Formats seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Makes a reporter that renders progress events as the options ask. */
export function createProgress(options: ProgressOptions): ProgressReporter & { finish(): void } {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => Date.now());
  const mode = options.mode === 'auto' ? (stream.isTTY ? 'tty' : 'plain') : options.mode;
  const interval = (options.plainIntervalSeconds ?? 5) * 1000;
  const stages = new Map<string, StageState>();
  let openLine = false;

  const reporter = (event: ProgressEvent): void => {
    if (mode === 'quiet') return;
    if (mode === 'json') {
      stream.write(`${JSON.stringify({ type: 'progress', ...event })}\n`);
      return;
    }
    const t = now();
    let state = stages.get(event.stage);
    if (!state) {
      state = { start: t, lastPrint: -Infinity };
      stages.set(event.stage, state);
    }
    const elapsed = (t - state.start) / 1000;
    const fraction = event.total > 0 ? event.done / event.total : 0;
    const eta = event.done > 0 && event.done < event.total ? (elapsed / event.done) * (event.total - event.done) : 0;
    const finished = event.done >= event.total;
    const counts = `${event.done}/${event.total}`;
    const timing = finished ? `in ${formatDuration(elapsed)}` : `ETA ${event.done > 0 ? formatDuration(eta) : '?'}`;
    if (mode === 'tty') {
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      const detail = event.detail ? ` ${event.detail}` : '';
      const line = `${event.stage} [${bar}] ${counts} ${timing}${detail}`;
      const columns = stream.columns ?? 100;
      stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
      openLine = !finished;
      if (finished) stream.write('\n');
      return;
    }
    if (finished || t - state.lastPrint >= interval) {
      state.lastPrint = t;
      stream.write(`${event.stage}: ${counts} (${Math.round(fraction * 100)}%) ${timing}${event.detail ? ` — ${event.detail}` : ''}\n`);
    }
  };
  return Object.assign(reporter, {
    finish() {
      if (openLine) stream.write('\n');
      openLine = false;
    },
  });
}
