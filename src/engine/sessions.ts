/**
 * onnxruntime sessions, built once per (graph variant, image size) and reused, with the cost of each
 * build and the time spent running each variant recorded for `model.stats()`.
 */
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../graph/onnx-io.js';
import type { Model } from '../graph/ir.js';
import type { ResolvedEngineOptions } from './options.js';

/** Cost of building one session. */
export interface SessionBuild {
  /** Variant id, e.g. "forward", "input-gradient", "guided-gradient", "layers:<names>". */
  readonly variant: string;
  readonly imageSize: readonly [number, number];
  /** Generating the graph (autodiff), ms. */
  readonly generateMs: number;
  /** Serialising it to ONNX bytes, ms. */
  readonly encodeMs: number;
  /** onnxruntime session creation (graph optimisation, weight pre-packing), ms. */
  readonly createMs: number;
  readonly modelBytes: number;
  readonly nodes: number;
}

/** Time spent running one variant. */
export interface VariantRuns {
  calls: number;
  images: number;
  ms: number;
}

/** What the engine has built and run so far. */
export interface EngineStats {
  readonly threads: number;
  readonly builds: readonly SessionBuild[];
  readonly runs: Readonly<Record<string, VariantRuns>>;
  /** Sub-batch sizes chosen per variant and image size, with the estimated bytes per image. */
  readonly batching: Readonly<Record<string, { readonly subBatch: number; readonly bytesPerImage: number }>>;
  /** Sessions currently held, and how many were released to stay within `maxSessions`. */
  readonly liveSessions: number;
  readonly evictions: number;
}

/** A graph ready to become a session. */
export interface GeneratedGraph {
  readonly model: Model;
  readonly generateMs: number;
}

/** A built session with the facts the runner needs. */
export interface BuiltSession {
  readonly session: ort.InferenceSession;
  readonly variant: string;
}

/** A session lent to one call; `done()` returns it so it may be evicted again. */
export interface SessionLease extends BuiltSession {
  done(): void;
}

interface Entry {
  readonly built: Promise<BuiltSession>;
  inUse: number;
  lastUsed: number;
}

/**
 * Caches sessions by key; concurrent requests for the same key share one build. At most `maxSessions`
 * are kept: the least recently used idle ones are released when a new one is built (each holds its own
 * copy of the weights, so this bounds memory when many variants and image sizes are used).
 */
export class SessionCache {
  private readonly sessions = new Map<string, Entry>();
  private readonly builds: SessionBuild[] = [];
  private readonly runs: Record<string, VariantRuns> = {};
  private readonly batching: Record<string, { subBatch: number; bytesPerImage: number }> = {};
  private clock = 0;
  private evictions = 0;

  constructor(private readonly options: ResolvedEngineOptions) {}

  /** Lends the session for `variant` at `size`, building it from `generate()` when not cached. */
  async acquire(variant: string, size: readonly [number, number], generate: () => GeneratedGraph): Promise<SessionLease> {
    const key = `${variant}@${size[0]}x${size[1]}`;
    let entry = this.sessions.get(key);
    if (!entry) {
      const built = this.build(variant, size, generate);
      const created: Entry = { built, inUse: 0, lastUsed: 0 };
      entry = created;
      this.sessions.set(key, created);
      // A failed build is not cached, so a later call reports the error again instead of a stale promise.
      built.catch(() => {
        if (this.sessions.get(key) === created) this.sessions.delete(key);
      });
    }
    const held = entry;
    held.inUse += 1;
    held.lastUsed = ++this.clock;
    let built: BuiltSession;
    try {
      built = await held.built;
    } catch (e) {
      held.inUse -= 1;
      throw e;
    }
    await this.evict();
    let returned = false;
    return {
      ...built,
      done: () => {
        if (!returned) held.inUse -= 1;
        returned = true;
      },
    };
  }

  /** Releases least recently used idle sessions beyond `maxSessions`. */
  private async evict(): Promise<void> {
    while (this.sessions.size > this.options.maxSessions) {
      let oldest: [string, Entry] | undefined;
      for (const item of this.sessions) if (item[1].inUse === 0 && (!oldest || item[1].lastUsed < oldest[1].lastUsed)) oldest = item;
      if (!oldest) return;
      this.sessions.delete(oldest[0]);
      this.evictions += 1;
      const built = await oldest[1].built.catch(() => undefined);
      if (built) await this.close(built);
    }
  }

  private async close(built: BuiltSession): Promise<void> {
    if (this.options.profilePrefix) built.session.endProfiling();
    await built.session.release();
  }

  private async build(variant: string, size: readonly [number, number], generate: () => GeneratedGraph): Promise<BuiltSession> {
    const { model, generateMs } = generate();
    const t0 = performance.now();
    const bytes = encodeModel(model);
    const t1 = performance.now();
    const session = await ort.InferenceSession.create(bytes, this.sessionOptions(variant));
    const t2 = performance.now();
    this.builds.push({
      variant,
      imageSize: [size[0], size[1]],
      generateMs,
      encodeMs: t1 - t0,
      createMs: t2 - t1,
      modelBytes: bytes.byteLength,
      nodes: model.graph.nodes.length,
    });
    return { session, variant };
  }

  private sessionOptions(variant: string): ort.InferenceSession.SessionOptions {
    const o = this.options;
    return {
      executionProviders: ['cpu'],
      intraOpNumThreads: o.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: o.cpuArena,
      // With the memory pattern on, onnxruntime allocates one block per run from the first run's trace, and
      // every run after the first peaked 60% higher (DenseNet121 input gradient, batch 8: 1959 vs 1242 MiB)
      // at no measurable speed gain.
      enableMemPattern: false,
      ...(o.profilePrefix ? { enableProfiling: true, profileFilePrefix: `${o.profilePrefix}-${variant.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60)}` } : {}),
    };
  }

  /** Records one run of a variant. */
  recordRun(variant: string, images: number, ms: number): void {
    const r = (this.runs[variant] ??= { calls: 0, images: 0, ms: 0 });
    r.calls += 1;
    r.images += images;
    r.ms += ms;
  }

  /** Records the sub-batch size chosen for a variant at a size. */
  recordBatching(key: string, subBatch: number, bytesPerImage: number): void {
    this.batching[key] = { subBatch, bytesPerImage };
  }

  /** A snapshot of builds and runs. */
  stats(): EngineStats {
    const runs: Record<string, VariantRuns> = {};
    for (const [k, v] of Object.entries(this.runs)) runs[k] = { ...v };
    return {
      threads: this.options.threads,
      builds: [...this.builds],
      runs,
      batching: { ...this.batching },
      liveSessions: this.sessions.size,
      evictions: this.evictions,
    };
  }

  /** Releases every session (ending profiles first when profiling). */
  async dispose(): Promise<void> {
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    for (const entry of entries) {
      const built = await entry.built.catch(() => undefined);
      if (built) await this.close(built);
    }
  }
}
