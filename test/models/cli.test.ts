import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const error = vi.spyOn(console, 'error').mockImplementation((...args) => void (err += args.join(' ')));
  try {
    const code = await runCli(['node', 'heatcheck', ...argv]);
    return { code, out, err };
  } finally {
    write.mockRestore();
    error.mockRestore();
  }
}

describe('heatcheck models describe', () => {
  it('prints parameter counts, the Grad-CAM layer and the blocks of an architecture', async () => {
    const r = await capture(['models', 'describe', 'densenet121', '--input-size', '64']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('without the head 7,037,504');
    expect(r.out).toContain('Grad-CAM   denseblock4');
    expect(r.out).toMatch(/transition3/);
  });

  it('describes the small ResNet: parameters, Grad-CAM layer4, blocks down to the stem', async () => {
    const r = await capture(['models', 'describe', 'small-resnet', '--input-size', '64']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('parameters 308,946');
    expect(r.out).toContain('Grad-CAM   layer4');
    expect(r.out).toMatch(/randomization blocks[^\n]*\n\s+logits[\s\S]*\n\s+layer1 [\s\S]*\n\s+conv1 /);
  });

  it('--json gives every layer', async () => {
    const r = await capture(['models', 'describe', 'small-cnn', '--json']);
    const d = JSON.parse(r.out) as { layers: unknown[]; parameters: { total: number } };
    expect(d.layers.length).toBeGreaterThan(10);
    expect(d.parameters.total).toBeGreaterThan(0);
  });

  it('an unknown architecture is a usage error (exit 2)', async () => {
    const r = await capture(['models', 'describe', 'vgg16']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown architecture');
  });
});

describe('heatcheck train', () => {
  it('trains on a tiny phantom, writes model + card + checkpoint, and a re-run resumes from the checkpoint', async () => {
    const { mkdtempSync, readFileSync, existsSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const out = mkdtempSync(path.join(tmpdir(), 'heatcheck-train-'));
    try {
      const argv = ['train', '--arch', 'small-cnn', '--dataset', 'phantom', '--phantom-count', '60', '--input-size', '32', '--epochs', '1', '--batch-size', '8', '--out', out, '--progress', 'quiet', '--threads', '1'];
      const first = await capture(argv);
      expect(first.err).toBe('');
      expect(first.code).toBe(0);
      expect(existsSync(path.join(out, 'model.onnx'))).toBe(true);
      expect(existsSync(path.join(out, 'checkpoint.bin'))).toBe(true);
      const card = JSON.parse(readFileSync(path.join(out, 'model.card.json'), 'utf8')) as { metrics: { rocAuc?: number }; randomization: { blocks: unknown[] } };
      expect(card.randomization.blocks.length).toBe(6);
      const second = await capture(argv);
      expect(JSON.parse(second.out).resumedFromEpoch).toBe(1);
      const described = await capture(['models', 'describe', path.join(out, 'model.onnx')]);
      expect(described.out).toContain('from model card');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
