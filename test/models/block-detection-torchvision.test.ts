/**
 * Block detection and cascading randomization on real torchvision exports (seeded random weights,
 * opset 13, made by torchvision_export.py with Debian's python3-torch and python3-torchvision; CI
 * installs both, and there this file fails instead of skipping when they are missing).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/graph/onnx-io.js';
import type { Model } from '../../src/graph/ir.js';
import { detectBlocks } from '../../src/models/block-detection.js';
import { createGraphSession } from '../../src/engine/training-session.js';
import { importModel, parameterRecordsOf, untieSharedParameters } from '../../src/models/imported.js';
import { randomizationStates } from '../../src/models/randomization.js';
import { readAuditModel } from '../../src/jobs/audit/models.js';
import { describeModelTarget } from '../../src/jobs/models-describe.js';
import { loadOnnxModel } from '../../src/engine/index.js';
import { encodeModel } from '../../src/graph/onnx-io.js';
import { changedInitializers } from './helpers.js';

const python = '/usr/bin/python3';
const available = existsSync(python) && spawnSync(python, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;
const required = process.env.CI === 'true';

const expected: Record<string, { family: string; blocks: string[]; cam: string }> = {
  resnet18: { family: 'torchvision-resnet', blocks: ['logits', 'layer4', 'layer3', 'layer2', 'layer1'], cam: '/layer4/layer4.1/relu_1/Relu_output_0' },
  densenet121: {
    family: 'torchvision-densenet',
    blocks: ['logits', 'denseblock4', 'transition3', 'denseblock3', 'transition2', 'denseblock2', 'transition1', 'denseblock1'],
    cam: '/features/norm5/BatchNormalization_output_0',
  },
  inception_v3: { family: 'torchvision-inceptionv3', blocks: ['logits', ...Array.from({ length: 10 }, (_, k) => `mixed${10 - k}`)], cam: '/Mixed_7c/Concat_output_0' },
};

describe.runIf(available || required)('torchvision exports: randomization blocks by tensor names', () => {
  let dir: string;
  const models: Record<string, Model> = {};
  beforeAll(() => {
    if (!available) throw new Error('Debian python3-torch and python3-torchvision are needed here (apt-get install python3-torch python3-torchvision)');
    dir = mkdtempSync(path.join(tmpdir(), 'heatcheck-torchvision-'));
    const script = fileURLToPath(new URL('./torchvision_export.py', import.meta.url));
    const run = spawnSync(python, [script, dir, '96', ...Object.keys(expected)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`torchvision export failed: ${run.stderr}`);
    const paths = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, string>;
    // Exporters share bit-identical tensors between nodes (fresh BatchNorm folds into identical zero
    // biases); untied, every block owns its parameters. Weights are then nudged so that no parameter's
    // re-initialisation can equal its value (a zero bias re-initialised to zero would look unchanged).
    for (const [name, file] of Object.entries(paths)) {
      const m = untieSharedParameters(decodeModel(readFileSync(file)));
      models[name] = { ...m, graph: { ...m.graph, initializers: m.graph.initializers.map((t) => (t.data instanceof Float32Array ? { ...t, data: t.data.map((v) => v + 0.01) } : t)) } };
    }
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: untying gives every parameter one user and leaves the logits bit-identical`, async () => {
      const raw = decodeModel(readFileSync(path.join(dir, `${name}.onnx`)));
      const untied = untieSharedParameters(raw);
      const users = new Map<string, number>();
      for (const n of untied.graph.nodes) for (const i of n.inputs) users.set(i, (users.get(i) ?? 0) + 1);
      expect(parameterRecordsOf(untied).filter((p) => users.get(p.name) !== 1).map((p) => p.name)).toEqual([]);
      expect(parameterRecordsOf(untied).length).toBeGreaterThan(parameterRecordsOf(raw).length);
      const data = new Float32Array(3 * 96 * 96).map((_, i) => Math.sin(i * 0.013));
      const logits = async (m: Model) => {
        const session = await createGraphSession(m, { threads: 1 });
        const out = await session.run({ input: { data, dims: [1, 3, 96, 96] } });
        await session.dispose();
        return Array.from(out.logits!.data);
      };
      expect(await logits(untied)).toEqual(await logits(raw));
    });

    it(`${name}: the audit finds the blocks of the export without a model card`, async () => {
      const loaded = await readAuditModel(name, path.join(dir, `${name}.onnx`), null, 96);
      expect(loaded.blockProblem).toBeUndefined();
      expect(loaded.built.blocks.map((b) => b.name)).toEqual(want.blocks);
    });

    it(`${name}: models describe shows the blocks and the Grad-CAM layer the audit will use`, async () => {
      const file = path.join(dir, `${name}.onnx`);
      const described = await describeModelTarget(file);
      const audit = await readAuditModel(name, file, null, 96);
      expect(described.blocks.map((b) => b.name)).toEqual(audit.built.blocks.map((b) => b.name));
      const engine = await loadOnnxModel(encodeModel(audit.graph), { threads: 1, checkGradients: false });
      expect(described.gradCamLayer).toBe(engine.info.defaultCamLayer);
      await engine.dispose();
    });

    it(`${name}: family, blocks top-down, Grad-CAM layer, and disjoint block parameters`, () => {
      const detected = detectBlocks(models[name]!, `${name}.onnx`);
      expect(detected.family).toBe(want.family);
      expect(detected.blocks.map((b) => b.name)).toEqual(want.blocks);
      expect(detected.camLayer).toBe(want.cam);
      const owners = new Map<string, string>();
      for (const b of detected.blocks) {
        expect(b.initializers.length, b.name).toBeGreaterThan(0);
        for (const init of b.initializers) {
          expect(owners.get(init), `${init} in ${b.name} and ${owners.get(init)}`).toBeUndefined();
          owners.set(init, b.name);
        }
      }
      // The classifier's weight and bias are the head's.
      expect(detected.blocks[0]!.initializers.some((n) => /(fc|classifier)\.weight/.test(n))).toBe(true);
    });

    it(`${name}: each cascading state re-initialises exactly the weights of the blocks randomized so far`, () => {
      const model = models[name]!;
      const detected = detectBlocks(model, `${name}.onnx`);
      const built = importModel(model, { blocks: detected.blocks, camLayer: detected.camLayer });
      const seen = new Set<string>();
      for (const state of randomizationStates(model, built.blocks, built.parameters, { seed: 5 })) {
        if (state.index > 0) for (const n of built.blocks[state.index - 1]!.initializers) seen.add(n);
        expect(changedInitializers(model, state.model).sort(), state.name).toEqual([...seen].sort());
      }
    });
  }
});

describe.skipIf(available || required)('torchvision exports (skipped)', () => {
  it.skip('needs Debian python3-torch and python3-torchvision', () => {});
});
