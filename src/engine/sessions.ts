/**
 * onnxruntime sessions, built once per (graph variant, image size) and reused, with the cost of each
 * build and the time spent running each variant recorded for `model.stats()`.
 */
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../graph/onnx-io.js';
import type { Model } from '../graph/ir.js';
import { LanePool } from './lanes.js';
import type { ResolvedEngineOptions } from './options.js';
import { ortSessionOptions, runOnSession } from './ort-session.js';
import { shareGraph } from './shared-graph.js';
import type { TensorValue } from './training-session.js';

/** Cost of building one session. */
export interface SessionBuild {
  /** Variant id, e.g. "forward", "input-gradient", "guided-gradient", "layers:<names>". */
  readonly variant: string;
  readonly imageSize: readonly [number, number];
  /** Generating the graph (autodiff), ms. */
  readonly generateMs: number;
  /** Serialising it to ONNX bytes, ms. */
  readonly encodeMs: number;
  /** With lanes: optimising the graph once for all of them (`shared-graph.ts`), ms; 0 on the main thread. */
  readonly shareMs: number;
  /** onnxruntime session creation (graph optimisation, weight pre-packing), ms. */
  readonly createMs: number;
  readonly modelBytes: number;
  readonly nodes: number;
  /** Sessions built from the graph: 1 on the main thread, or one per lane. */
  readonly lanes: number;
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
  /** Worker lanes that split calls into side-by-side sub-batches (1: everything on the main thread). */
  readonly lanes: number;
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

/**
 * A variant's sessions lent to one call; `done()` returns them so they may be evicted again. `width`
 * runners may be used side by side: the lanes, or one main-thread session.
 */
export interface SessionLease {
  readonly variant: string;
  readonly width: number;
  run(feeds: Readonly<Record<string, TensorValue>>, fetch: readonly string[], runner: number): Promise<Record<string, TensorValue>>;
  done(): void;
}

/** Where a variant runs: one main-thread session with every thread, or a session per lane. */
export type Placement = 'main' | 'lanes';

interface Entry {
  main?: Promise<ort.InferenceSession>;
  /** The id the lanes know this key's sessions by (unique per build, so a late release never hits a rebuild). */
  lanes?: Promise<string>;
  inUse: number;
  lastUsed: number;
}

/**
 * Caches sessions by key; concurrent requests for the same key share one build. A key may have a
 * main-thread session (calls of one row, weight gradients) and a session on every lane (calls split into
 * sub-batches), each built on first need. At most `maxSessions` keys are kept: the least recently used
 * idle ones are released when a new one is built (each session holds its own copy of the weights, so
 * this bounds memory when many variants and image sizes are used).
 */
export class SessionCache {
  private readonly sessions = new Map<string, Entry>();
  private readonly builds: SessionBuild[] = [];
  private readonly runs: Record<string, VariantRuns> = {};
  private readonly batching: Record<string, { subBatch: number; bytesPerImage: number }> = {};
  private pool: LanePool | undefined;
  private laneBuilds = 0;
  private clock = 0;
  private evictions = 0;

  constructor(private readonly options: ResolvedEngineOptions) {}

  /** Lends the sessions for `variant` at `size` placed as asked, building them from `generate()` when missing. */
  async acquire(variant: string, size: readonly [number, number], generate: () => GeneratedGraph, placement: Placement = 'main'): Promise<SessionLease> {
    const key = `${variant}@${size[0]}x${size[1]}`;
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = { inUse: 0, lastUsed: 0 };
      this.sessions.set(key, entry);
    }
    const held = entry;
    const lanes = placement === 'lanes' && this.options.lanes > 1;
    let built: Promise<unknown>;
    if (lanes) {
      built = held.lanes ??= this.buildOnLanes(`${key}#${++this.laneBuilds}`, variant, size, generate);
    } else {
      built = held.main ??= this.build(variant, size, generate);
    }
    held.inUse += 1;
    held.lastUsed = ++this.clock;
    try {
      await built;
    } catch (e) {
      // A failed build is not cached, so a later call reports the error again instead of a stale promise.
      held.inUse -= 1;
      if (lanes && held.lanes === built) delete held.lanes;
      if (!lanes && held.main === built) delete held.main;
      if (!held.main && !held.lanes && held.inUse === 0 && this.sessions.get(key) === held) this.sessions.delete(key);
      throw e;
    }
    await this.evict();
    let returned = false;
    const done = (): void => {
      if (!returned) held.inUse -= 1;
      returned = true;
    };
    if (lanes) {
      const pool = this.pool!;
      const id = await held.lanes!;
      return { variant, width: pool.size, run: (feeds, fetch, runner) => pool.run(runner, id, feeds, fetch), done };
    }
    const session = await held.main!;
    return { variant, width: 1, run: (feeds, fetch) => runOnSession(session, feeds, fetch), done };
  }

  /** Releases least recently used idle keys beyond `maxSessions`. */
  private async evict(): Promise<void> {
    while (this.sessions.size > this.options.maxSessions) {
      let oldest: [string, Entry] | undefined;
      for (const item of this.sessions) if (item[1].inUse === 0 && (!oldest || item[1].lastUsed < oldest[1].lastUsed)) oldest = item;
      if (!oldest) return;
      this.sessions.delete(oldest[0]);
      this.evictions += 1;
      await this.close(oldest[1]);
    }
  }

  private async close(entry: Entry): Promise<void> {
    const session = await entry.main?.catch(() => undefined);
    if (session) {
      if (this.options.profilePrefix) session.endProfiling();
      await session.release();
    }
    const id = await entry.lanes?.catch(() => undefined);
    if (id) await this.pool!.release(id);
  }

  private async build(variant: string, size: readonly [number, number], generate: () => GeneratedGraph): Promise<ort.InferenceSession> {
    const { model, generateMs } = generate();
    const t0 = performance.now();
    const bytes = encodeModel(model);
    const t1 = performance.now();
    const o = this.options;
    const session = await ort.InferenceSession.create(bytes, ortSessionOptions(o.threads, o.cpuArena, o.profilePrefix, variant));
    this.builds.push({ variant, imageSize: [size[0], size[1]], generateMs, encodeMs: t1 - t0, shareMs: 0, createMs: performance.now() - t1, modelBytes: bytes.byteLength, nodes: model.graph.nodes.length, lanes: 1 });
    return session;
  }

  private async buildOnLanes(id: string, variant: string, size: readonly [number, number], generate: () => GeneratedGraph): Promise<string> {
    const { model, generateMs } = generate();
    const t0 = performance.now();
    const bytes = encodeModel(model);
    const t1 = performance.now();
    const graph = await shareGraph(bytes, this.options.threads);
    const t2 = performance.now();
    this.pool ??= new LanePool({
      lanes: this.options.lanes,
      threadsPerLane: Math.max(1, Math.floor(this.options.threads / this.options.lanes)),
      cpuArena: this.options.cpuArena,
      profilePrefix: this.options.profilePrefix,
    });
    let createMs: number;
    try {
      createMs = await this.pool.build(id, graph);
    } catch (cause) {
      await this.pool.release(id);
      throw cause;
    }
    this.builds.push({ variant, imageSize: [size[0], size[1]], generateMs, encodeMs: t1 - t0, shareMs: t2 - t1, createMs, modelBytes: bytes.byteLength, nodes: model.graph.nodes.length, lanes: this.pool.size });
    return id;
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
      lanes: this.options.lanes,
      builds: [...this.builds],
      runs,
      batching: { ...this.batching },
      liveSessions: this.sessions.size,
      evictions: this.evictions,
    };
  }

  /** Releases every session (ending profiles first when profiling) and stops the lanes. */
  async dispose(): Promise<void> {
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    for (const entry of entries) await this.close(entry);
    await this.pool?.close();
    this.pool = undefined;
  }
}
