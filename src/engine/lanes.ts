/**
 * Engine lanes: worker threads that each hold their own onnxruntime sessions, so the sub-batches of one
 * call run side by side. On 2 cores, two lanes of one intra-op thread each ran the InceptionV3@320 and
 * DenseNet121 input gradients 8-22% faster than one session with two threads (onnxruntime's intra-op
 * parallelism idles on small convolutions), with bitwise identical results (docs/engine.md).
 */
import { Worker } from 'node:worker_threads';
import type { LaneMessage, LaneReply, LaneSetup, LaneTensor } from './lane-protocol.js';
import type { SharedGraph } from './shared-graph.js';

// From source (tests, tsx) the worker is a .ts file and needs tsx's loader in the worker thread.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = new URL(fromSource ? './lane-worker.ts' : './lane-worker.js', import.meta.url);

/** tsx's loader API, resolved from this package (the worker's own resolution would start at the cwd). */
function tsxApi(): string {
  return import.meta.resolve('tsx/esm/api');
}

/** Settings shared by every lane of a pool. */
export interface LanePoolOptions {
  readonly lanes: number;
  readonly threadsPerLane: number;
  readonly cpuArena: boolean;
  readonly profilePrefix: string | undefined;
}

/** Why a lane request failed: onnxruntime's message, or the worker's exit. */
export class LaneFailure extends Error {}

interface Pending {
  readonly resolve: (reply: LaneReply) => void;
  readonly reject: (error: Error) => void;
}

/** One worker thread and its in-flight requests. */
class Lane {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: Error | undefined;

  constructor(setup: LaneSetup) {
    // From source the .ts entry is imported by a short script that first registers tsx's loader in the
    // thread (an `--import tsx` exec argument is not applied to a worker's own entry).
    this.worker = fromSource
      ? new Worker(`import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile.href)}); });`, {
          eval: true,
          workerData: setup,
        })
      : new Worker(workerFile, { workerData: setup });
    // An idle lane must not keep the process alive; one with work in flight must.
    this.worker.unref();
    this.worker.on('message', (reply: LaneReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      p.resolve(reply);
    });
    const fail = (error: Error): void => {
      this.dead ??= error;
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    this.worker.on('error', (e) => fail(new LaneFailure(`engine lane ${setup.lane} failed: ${e.message}`)));
    this.worker.on('exit', (code) => fail(new LaneFailure(`engine lane ${setup.lane} exited (code ${code})`)));
  }

  async request(message: LaneMessage, transfer: ArrayBuffer[] = []): Promise<LaneReply> {
    if (this.dead) throw this.dead;
    const id = this.nextId++;
    const reply = new Promise<LaneReply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.ref();
    this.worker.postMessage({ ...message, id }, transfer);
    const r = await reply;
    if (!r.ok) throw new LaneFailure(r.message);
    return r;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** A fixed set of lanes; every graph key is built on all of them. */
export class LanePool {
  private readonly lanes: Lane[];

  constructor(options: LanePoolOptions) {
    this.lanes = Array.from(
      { length: options.lanes },
      (_, lane) => new Lane({ lane, threads: options.threadsPerLane, cpuArena: options.cpuArena, profilePrefix: options.profilePrefix }),
    );
  }

  get size(): number {
    return this.lanes.length;
  }

  /**
   * Builds a session on `graph` on every lane (its small graph bytes are copied to each, its weights go
   * over in one shared buffer); resolves with the slowest creation, ms.
   */
  async build(key: string, graph: SharedGraph): Promise<number> {
    const replies = await Promise.all(this.lanes.map((lane) => lane.request({ op: 'build', key, graph })));
    return Math.max(...replies.map((r) => (r.ok && r.createMs) || 0));
  }

  /**
   * Runs `key` on one lane. Feeds are copied (a view would otherwise carry its whole buffer across) and
   * the copies handed over; outputs come back as new arrays.
   */
  async run(lane: number, key: string, feeds: Readonly<Record<string, LaneTensor>>, fetch: readonly string[]): Promise<Record<string, LaneTensor>> {
    const copies: Record<string, LaneTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, v] of Object.entries(feeds)) {
      const data = v.data.slice();
      copies[name] = { data, dims: v.dims };
      transfer.push(data.buffer);
    }
    const reply = await this.lanes[lane]!.request({ op: 'run', key, feeds: copies, fetch }, transfer);
    return { ...reply.outputs! };
  }

  /** Releases `key`'s sessions on every lane (all sessions when undefined). */
  async release(key: string | undefined): Promise<void> {
    await Promise.allSettled(this.lanes.map((lane) => lane.request({ op: 'release', key })));
  }

  /** Releases every session and stops the workers. */
  async close(): Promise<void> {
    await this.release(undefined);
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }
}
