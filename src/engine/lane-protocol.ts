/**
 * Messages between the engine and its lane workers (`lanes.ts` and `lane-worker.ts`).
 */
import type { SharedGraph } from './shared-graph.js';

/** What a lane worker is started with. */
export interface LaneSetup {
  readonly lane: number;
  /** onnxruntime intra-op threads of each of this lane's sessions. */
  readonly threads: number;
  readonly cpuArena: boolean;
  readonly profilePrefix: string | undefined;
}

/** A float32 tensor crossing threads. */
export interface LaneTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** A request to a lane; `id` pairs it with its reply. */
export type LaneRequest =
  | { readonly id: number; readonly op: 'build'; readonly key: string; readonly graph: SharedGraph }
  | { readonly id: number; readonly op: 'run'; readonly key: string; readonly feeds: Readonly<Record<string, LaneTensor>>; readonly fetch: readonly string[] }
  /** Releases one session, or every session when `key` is undefined. */
  | { readonly id: number; readonly op: 'release'; readonly key: string | undefined };

/** A lane's reply: `createMs` for a build, `outputs` for a run, `message` for a failure. */
export type LaneReply =
  | { readonly id: number; readonly ok: true; readonly createMs?: number; readonly outputs?: Readonly<Record<string, LaneTensor>> }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly outputs?: undefined };

/** `Omit<T, 'id'>` applied to each member of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** A request before the pool numbers it. */
export type LaneMessage = WithoutId<LaneRequest>;
