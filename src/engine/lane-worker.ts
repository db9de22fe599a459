/**
 * The worker side of an engine lane: a thread holding its own onnxruntime sessions (one per graph key),
 * building them from ONNX bytes and running them on float32 feeds. onnxruntime-node runs a session on the
 * calling JavaScript thread, so concurrent sub-batches need a thread each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { LaneReply, LaneRequest, LaneSetup } from './lane-protocol.js';
import { runOnSession, sessionOnShared } from './ort-session.js';

const setup = workerData as LaneSetup;
const sessions = new Map<string, ort.InferenceSession>();
const port = parentPort!;

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
      // Keys are unique per build (sessions.ts), so there is never an older session to replace.
      const t0 = performance.now();
      // onnxruntime copies the shared weights into the session, so the graph is not kept.
      sessions.set(request.key, await sessionOnShared(request.graph, setup.threads, setup.cpuArena, setup.profilePrefix, `lane${setup.lane}-${request.key}`));
      return { id: request.id, ok: true, createMs: performance.now() - t0 };
    }
    case 'run': {
      const session = sessions.get(request.key);
      if (!session) throw new Error(`no session ${request.key} on lane ${setup.lane}`);
      const outputs = await runOnSession(session, request.feeds, request.fetch);
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
