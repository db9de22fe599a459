import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { decodePng, encodeGreyPng } from '../../src/data/index.js';

const model = '/work/shared/oracle/saliency/tiny_inception.onnx';
let dir: string;
let image: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-cli-explain-'));
  image = path.join(dir, 'xray.png');
  const px = Float32Array.from({ length: 50 * 50 }, (_, i) => ((i % 50) + Math.floor(i / 50)) / 100);
  await writeFile(image, encodeGreyPng(px, 50, 50, 8));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `heatcheck explain ...`, returning the exit code, stdout and stderr. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  try {
    const code = await runCli(['node', 'heatcheck', 'explain', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('\n') };
  } finally {
    error.mockRestore();
    stderr.mockRestore();
    stdout.mockRestore();
  }
}

describe('heatcheck explain', () => {
  it('writes maps, overlays and metadata and exits 0', async () => {
    const out = path.join(dir, 'out');
    const r = await cli('--model', model, '--images', image, '--methods', 'gradient,guided-backprop', '--out', out, '--target', '1', '--normalize', 'unit', '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 maps written');
    expect((await readdir(path.join(out, 'guided-backprop'))).sort()).toEqual(['xray.json', 'xray.overlay.png', 'xray.png']);
    const png = decodePng(await readFile(path.join(out, 'gradient', 'xray.png')));
    expect([png.width, png.height, png.bitDepth]).toEqual([64, 64, 16]);
    const meta = JSON.parse(await readFile(path.join(out, 'gradient', 'xray.json'), 'utf8'));
    expect(meta).toMatchObject({ method: 'gradient', target: { requested: 1, explained: 1 }, preprocessing: { normalize: 'unit' } });
  }, 60_000);

  it('exits 2 on an unknown method, listing the valid ones', async () => {
    const r = await cli('--model', model, '--images', image, '--methods', 'gradient,gradcam', '--out', path.join(dir, 'bad'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gradcam');
    expect(r.stderr).toContain('grad-cam, guided-backprop');
  });

  it('exits 2 on bad flags and unreadable images, 1 on a bad model', async () => {
    const out = path.join(dir, 'bad');
    expect((await cli('--model', model, '--images', image, '--methods', 'gradient', '--out', out, '--normalize', 'zscore')).code).toBe(2);
    expect((await cli('--model', model, '--images', image, '--methods', 'gradient', '--out', out, '--target', 'top')).code).toBe(2);
    expect((await cli('--model', model, '--images', image, '--methods', 'gradient', '--out', out, '--preset', 'paper')).code).toBe(2);
    expect((await cli('--model', model, '--images', image, '--methods', 'gradient')).code).toBe(2);
    const missing = await cli('--model', model, '--images', path.join(dir, 'nope.png'), '--methods', 'gradient', '--out', out, '--quiet');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.png');
    const badModel = await cli('--model', image, '--images', image, '--methods', 'gradient', '--out', out, '--quiet');
    expect(badModel.code).toBe(1);
    expect(badModel.stderr).toContain('xray.png');
  }, 60_000);
});
