import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function withConfig(content: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-cli-audit-'));
  dirs.push(dir);
  const file = path.join(dir, 'audit.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Runs the CLI, returning the exit code and everything written to stderr. */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  try {
    const code = await runCli(['node', 'heatcheck', 'audit', ...args]);
    return { code, stderr: lines.join('\n') };
  } finally {
    error.mockRestore();
    write.mockRestore();
  }
}

const models = {
  replicates: { name: 'small-cnn', architecture: 'small-cnn', models: [{ train: { seed: 1 } }, { train: { seed: 2 } }] },
  others: [{ name: 'b', architecture: 'small-cnn', models: [{ train: { seed: 3 } }] }],
  localization: [{ name: 'unet', task: 'segmentation', architecture: 'unet', models: [{ train: { seed: 4 } }] }],
};

describe('heatcheck audit: bad configs and datasets', () => {
  it('names the file, the field and the valid values for an unknown method (exit 2)', async () => {
    const file = await withConfig({ dataset: { format: 'phantom' }, models, saliency: { methods: ['gradient', 'gradcam++'] } });
    const { code, stderr } = await cli('--config', file);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file} › saliency.methods[1]`);
    expect(stderr).toContain('gradcam++');
    expect(stderr).toContain('grad-cam');
  });

  it('reports a JSON syntax error with the file and line, and a missing file (exit 2)', async () => {
    const file = await withConfig('{\n  "preset": "arun2021",\n  oops\n}');
    const bad = await cli('--config', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(file);
    const missing = await cli('--config', path.join(tmpdir(), 'no-such-heatcheck-config.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read config file');
  });

  it('rejects a bad --set override, naming the flag (exit 2)', async () => {
    const file = await withConfig({ dataset: { format: 'phantom' }, models });
    const { code, stderr } = await cli('--config', file, '--set', 'criteria.statistics.alpha=2');
    expect(code).toBe(2);
    expect(stderr).toContain('--set criteria.statistics.alpha=2');
    expect(stderr).toContain('criteria.statistics.alpha');
  });

  it('reports a missing dataset folder and an unrecognised one (exit 2)', async () => {
    const missingRoot = path.join(tmpdir(), 'no-such-heatcheck-dataset');
    const file = await withConfig({ dataset: { format: 'siim', root: missingRoot }, models });
    const missing = await cli('--config', file, '--out', path.join(path.dirname(file), 'run'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-heatcheck-dataset');
    const empty = path.dirname(file);
    const file2 = await withConfig({ dataset: { format: 'rsna', root: empty }, models });
    const unknown = await cli('--config', file2, '--out', path.join(empty, 'run'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/heatcheck: .*(stage_2|label|csv)/i);
  });

  it('needs --config or --demo, not both (exit 2)', async () => {
    expect((await cli()).code).toBe(2);
    const file = await withConfig({});
    const both = await cli('--demo', '--config', file);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});
