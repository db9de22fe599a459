/**
 * The worker side of an engine lane: a thread holding its own onnxruntime sessions (one per graph key),
 * building them from ONNX bytes and running them on float32 feeds. onnxruntime-node runs a session on the
 * calling JavaScript thread, so concurrent sub-batches need a thread each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { LaneReply, LaneRequest, LaneSetup } from './lane-protocol.js';

const setup = workerData as LaneSetup;
const sessions = new Map<string, ort.InferenceSession>();
const port = parentPort!;

function sessionOptions(key: string): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: setup.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: setup.cpuArena,
    enableMemPattern: false,
    ...(setup.profilePrefix
      ? { enableProfiling: true, profileFilePrefix: `${setup.profilePrefix}-lane${setup.lane}-${key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60)}` }
      : {}),
  };
}

async function release(key: string): Promise<void> {
  const session = sessions.get(key);
  if (!session) return;
  sessions.delete(key);
  if (setup.profilePrefix) session.endProfiling();
  await session.release();
}

async function handle(request: LaneRequest): Promise<LaneReply> {
  switch (request.op) {
    case 'build': {
      await release(request.key);
      const t0 = performance.now();
      sessions.set(request.key, await ort.InferenceSession.create(request.bytes, sessionOptions(request.key)));
      return { id: request.id, ok: true, createMs: performance.now() - t0 };
    }
    case 'run': {
      const session = sessions.get(request.key);
      if (!session) throw new Error(`no session ${request.key} on lane ${setup.lane}`);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, v] of Object.entries(request.feeds)) feeds[name] = new ort.Tensor('float32', v.data, [...v.dims]);
      const result = await session.run(feeds, [...request.fetch]);
      const outputs: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
      for (const name of request.fetch) {
        const t = result[name]!;
        outputs[name] = { data: t.data as Float32Array, dims: [...t.dims] };
      }
      return { id: request.id, ok: true, outputs };
    }
    case 'release': {
      if (request.key === undefined) for (const key of [...sessions.keys()]) await release(key);
      else await release(request.key);
      return { id: request.id, ok: true };
    }
  }
}

port.on('message', (request: LaneRequest) => {
  handle(request).then(
    (reply) => {
      // Output buffers go back without a copy when onnxruntime's memory can be handed over.
      const buffers = reply.outputs ? Object.values(reply.outputs).map((o) => o.data.buffer) : [];
      try {
        port.postMessage(reply, buffers as ArrayBuffer[]);
      } catch {
        port.postMessage(reply);
      }
    },
    (error: unknown) => port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies LaneReply),
  );
});
