import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { createGraphSession } from '../../src/engine/training-session.js';
import { buildSmallCnn } from '../../src/models/architectures/small-cnn.js';

function random(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
}

describe('graph sessions', () => {
  it("give the same results with onnxruntime's CPU arena as without, run after run, as the batch size changes", async () => {
    const built = buildSmallCnn({ inputSize: 32, width: 8, seed: 2, channels: 1 });
    const sessions = [await createGraphSession(built.model, { threads: 2 }), await createGraphSession(built.model, { threads: 2, cpuArena: true })];
    try {
      // Shrinking then growing batches: buffers the arena hands out again must not carry old values.
      for (const [n, seed] of [[4, 1], [2, 2], [4, 3], [1, 4], [4, 1]] as const) {
        const feeds = { [built.inputName]: { data: random(n * 32 * 32, seed), dims: [n, 1, 32, 32] } };
        const [plain, arena] = [await sessions[0]!.run(feeds), await sessions[1]!.run(feeds)];
        const out = plain[built.outputName]!;
        expect(out.dims[0]).toBe(n);
        expect(Array.from(arena[built.outputName]!.data)).toEqual(Array.from(out.data));
      }
    } finally {
      for (const s of sessions) await s.dispose();
    }
  });
});
