/**
 * Shared benchmark helpers: medians of repeated timings, peer scripts on Debian's python3, tables.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter, which has python3-torch/sklearn/skimage (the pyenv python3 on PATH does not). */
export const debianPython = '/usr/bin/python3';

/** Median wall time in milliseconds of `runs` calls (after `warmup` untimed calls). */
export async function medianMs(fn: () => unknown, runs = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs bench/peers/<script> with Debian's python3 and parses the JSON it prints on its last stdout line.
 * Throws with the peer's stderr when it fails (e.g. a missing python3-torch: `apt-get install python3-torch`).
 */
export function runPeer<T>(script: string, args: readonly string[] = [], env: Record<string, string> = {}): T {
  const path = fileURLToPath(new URL(`../peers/${script}`, import.meta.url));
  const result = spawnSync(debianPython, [path, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    throw new Error(`peer ${script} failed (exit ${result.status}):\n${result.stderr}\nInstall Debian's python3 packages the peer needs (see bench/README.md).`);
  }
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** Prints rows as an aligned text table. */
export function printTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  for (const [k, row] of cells.entries()) {
    console.log(row.map((c, i) => String(c).padEnd(widths[i]!)).join('  '));
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(3);
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
