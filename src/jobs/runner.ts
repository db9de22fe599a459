/**
 * The job runner: a plan is a list of steps, each keyed by a stable hash of its resolved inputs (its
 * own key, the hashes of the steps it depends on, and the code version). A finished step is a folder
 * `<runDir>/steps/<stage>/<hash>/` written atomically, so a re-run reuses it, a killed run resumes
 * where it stopped, and a changed option recomputes only what depends on it.
 */
import { access, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stableHash } from '../core/hash.js';
import { UsageError } from '../core/errors.js';
import type { ProgressReporter } from '../core/types.js';
import { writeDirAtomic } from './atomic.js';

/** What a step's `run` gets: its folder to write files into and the values of its dependencies. */
export interface StepContext {
  /** A private folder; everything written here becomes part of the step's output. */
  readonly dir: string;
  /** Results of the steps named in `deps`, by id. */
  readonly deps: Readonly<Record<string, unknown>>;
  /** Reports progress within the step (e.g. images done of total). */
  readonly progress: (done: number, total: number, detail?: string) => void;
}

export interface Step<T = unknown> {
  /** Unique id within the plan, e.g. `explain/grad-cam/replicate-1`. */
  readonly id: string;
  /** Progress group and cache subfolder, e.g. `explain`. */
  readonly stage: string;
  /** The resolved inputs that determine the output (config slice, seeds, input file hashes). */
  readonly key: unknown;
  readonly deps?: readonly string[];
  /** Computes the step, writing any files into `ctx.dir`; the returned value must be JSON-serialisable. */
  run(ctx: StepContext): Promise<T>;
}

export interface RunOptions {
  readonly runDir: string;
  /** Bumped when code changes invalidate cached results. */
  readonly codeVersion: string;
  readonly onProgress?: ProgressReporter;
  /** Called when a step is reused from the cache or computed. */
  readonly onStep?: (event: { id: string; hash: string; cached: boolean; milliseconds: number }) => void;
  readonly signal?: AbortSignal;
}

export interface StepRecord {
  readonly id: string;
  readonly hash: string;
  readonly dir: string;
  readonly value: unknown;
  readonly cached: boolean;
}

const RESULT_FILE = 'result.json';

/** Orders steps so that every step comes after its dependencies; rejects unknown ids and cycles. */
export function orderSteps(steps: readonly Step[]): Step[] {
  const byId = new Map<string, Step>();
  for (const step of steps) {
    if (byId.has(step.id)) throw new UsageError('plan-duplicate', `the plan has two steps with id "${step.id}"`);
    byId.set(step.id, step);
  }
  const ordered: Step[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (step: Step, trail: string[]): void => {
    const s = state.get(step.id);
    if (s === 'done') return;
    if (s === 'visiting') throw new UsageError('plan-cycle', `the plan has a dependency cycle: ${[...trail, step.id].join(' -> ')}`);
    state.set(step.id, 'visiting');
    for (const dep of step.deps ?? []) {
      const target = byId.get(dep);
      if (!target) throw new UsageError('plan-unknown-dep', `step "${step.id}" depends on unknown step "${dep}"`);
      visit(target, [...trail, step.id]);
    }
    state.set(step.id, 'done');
    ordered.push(step);
  };
  for (const step of steps) visit(step, []);
  return ordered;
}

/**
 * Runs the plan in dependency order, one step at a time (the engine already uses every core inside a
 * step). Returns a record per step. Cached steps are read, not recomputed.
 */
export async function runPlan(steps: readonly Step[], options: RunOptions): Promise<Map<string, StepRecord>> {
  const ordered = orderSteps(steps);
  const records = new Map<string, StepRecord>();
  const totals = new Map<string, number>();
  const done = new Map<string, number>();
  for (const step of ordered) totals.set(step.stage, (totals.get(step.stage) ?? 0) + 1);

  for (const step of ordered) {
    options.signal?.throwIfAborted();
    const depHashes = (step.deps ?? []).map((d) => records.get(d)!.hash);
    const hash = stableHash({ id: step.id, key: step.key, deps: depHashes, code: options.codeVersion }).slice(0, 24);
    const dir = path.join(options.runDir, 'steps', step.stage, hash);
    const t0 = performance.now();
    let value: unknown;
    let cached = true;
    if (await exists(path.join(dir, RESULT_FILE))) {
      value = JSON.parse(await readFile(path.join(dir, RESULT_FILE), 'utf8'));
    } else {
      cached = false;
      const deps: Record<string, unknown> = {};
      for (const d of step.deps ?? []) deps[d] = records.get(d)!.value;
      await writeDirAtomic(dir, async (temp) => {
        value = await step.run({
          dir: temp,
          deps,
          progress: (n, total, detail) =>
            options.onProgress?.({ stage: `${step.stage}: ${step.id}`, done: n, total, ...(detail ? { detail } : {}) }),
        });
        await writeFile(path.join(temp, RESULT_FILE), JSON.stringify(value ?? null));
      });
      // Another process may have won the rename race; read what is on disk so every caller agrees.
      value = JSON.parse(await readFile(path.join(dir, RESULT_FILE), 'utf8'));
    }
    records.set(step.id, { id: step.id, hash, dir, value, cached });
    done.set(step.stage, (done.get(step.stage) ?? 0) + 1);
    options.onStep?.({ id: step.id, hash, cached, milliseconds: performance.now() - t0 });
    options.onProgress?.({ stage: step.stage, done: done.get(step.stage)!, total: totals.get(step.stage)!, detail: step.id });
  }
  return records;
}

/** Removes leftovers of interrupted writes (`*.tmp-*` folders) under a run folder. */
export async function cleanInterrupted(runDir: string): Promise<number> {
  let removed = 0;
  const stepsDir = path.join(runDir, 'steps');
  if (!(await exists(stepsDir))) return 0;
  for (const stage of await readdir(stepsDir)) {
    const stageDir = path.join(stepsDir, stage);
    for (const entry of await readdir(stageDir)) {
      if (entry.includes('.tmp-')) {
        await rm(path.join(stageDir, entry), { recursive: true, force: true });
        removed++;
      }
    }
  }
  return removed;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
