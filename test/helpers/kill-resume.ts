import { spawn } from 'node:child_process';

/** Runs `node --import tsx script ...args` (one process, so SIGKILL hits the worker), optionally killed after `killAfterMs`. */
export function runScript(script: string, args: readonly string[], killAfterMs?: number): Promise<{ stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    let timer: NodeJS.Timeout | undefined;
    if (killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', () => {
      if (timer) clearTimeout(timer);
      resolve({ stdout, ms: performance.now() - t0 });
    });
  });
}

/**
 * Kill points spread over an uninterrupted run's duration (10% to 90% of it, drawn with `uniform`),
 * so the kills land mid-run on a fast idle machine and on a loaded one alike.
 */
export function killPoints(referenceMs: number, count: number, uniform: () => number): number[] {
  return Array.from({ length: count }, () => Math.round(referenceMs * (0.1 + 0.8 * uniform())));
}
