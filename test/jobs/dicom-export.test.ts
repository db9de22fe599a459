// The run-folder DICOM export on the tiny phantom audit: Parametric Maps hold exactly the maps the audit
// scored (read back with heatcheck's DICOM reader), Segmentations hold exactly the maps above the audit's
// own per-image thresholds (per-image.csv), every file references its source image; plus DICOM sources
// (real UIDs, a grid other than the audit's) and PNG sources (generated UIDs) through the same builders.
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { hashBytes } from '../../src/core/hash.js';
import { decodeDicom, encodeGreyPng, writeDicomImage, type DatasetItem } from '../../src/data/index.js';
import { readMapAt } from '../../src/jobs/audit/map-store.js';
import { derivedInstance, onSourceGrid, thresholdMap } from '../../src/jobs/dicom-export/build.js';
import { exportRunDicom, type RunDicomExport } from '../../src/jobs/dicom-export/export.js';
import { DicomRunExportErrorCode } from '../../src/jobs/dicom-export/messages.js';
import { sourceImageOf } from '../../src/jobs/dicom-export/sources.js';
import { otsuThreshold } from '../../src/metrics/index.js';
import { encodeDicomFile, hashUid, parametricMapDataset, segmentationDataset } from '../../src/report/index.js';
import { dcmdump, dcmdumpTool, tagValues } from '../helpers/dicom-tools.js';
import { named } from '../helpers/external-tools.js';
import { runTiny } from './audit-tiny-run.js';

let dir: string;
let run: string;
/** The parts of results.json the tests read. */
interface Results {
  readonly images: { readonly keys: string[] };
  readonly config: { readonly saliency: { readonly methods: string[] } };
  readonly inputs: { readonly models: Record<string, { readonly role: string }>; readonly steps: Record<string, string>; dataset: { items: string } };
  readonly utility: { readonly network: { readonly method: string } };
}
let results: Results;
let exported: RunDicomExport;
const size = 32;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-dicom-export-'));
  run = path.join(dir, 'run');
  await runTiny(run);
  results = JSON.parse(await readFile(path.join(run, 'results.json'), 'utf8')) as Results;
  exported = await exportRunDicom({ runDir: run, models: 'all' });
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const keys = () => results.images.keys;
const methods = () => results.config.saliency.methods;

/** The audit's own float32 map of a model/method/image, from the step cache. */
function auditMap(model: string, method: string, key: string): Float32Array {
  const localization = results.inputs.models[model]!.role === 'localization';
  const hash = results.inputs.steps[localization ? `localize/${model}` : `explain/${model}/original`]!;
  const file = path.join(run, 'steps', localization ? 'localize' : 'explain', hash, localization ? 'map.f32' : `${method}.f32`);
  return readMapAt(file, size, size, keys().indexOf(key)).data;
}

/** The audit's per-image threshold (per-image.csv, utility rows of the trained model). */
async function auditThresholds(): Promise<Map<string, number>> {
  const [head, ...rows] = (await readFile(path.join(run, 'per-image.csv'), 'utf8')).trim().split('\n').map((l) => l.split(','));
  const at = (name: string) => head!.indexOf(name);
  const out = new Map<string, number>();
  for (const r of rows) if (r[at('criterion')] === 'utility' && r[at('state')] === 'trained') out.set(`${r[at('model')]}|${r[at('method')]}|${r[at('image')]}`, Number(r[at('threshold')]));
  return out;
}

async function decodeFile(file: string) {
  return decodeDicom(new Uint8Array(await readFile(file)), { source: file });
}

describe('exportRunDicom on a tiny audit run', () => {
  it('writes a parametric map per image, model and method and a segmentation per image and model, with a manifest', async () => {
    const models = Object.keys(results.inputs.models);
    const all = models.flatMap((model) =>
      (results.inputs.models[model]!.role === 'localization' ? [results.utility.network.method] : methods()).flatMap((method) => keys().map((key) => ({ model, method, key }))),
    );
    // A constant map (NaN after min-max, e.g. an all-zero Grad-CAM of a barely trained model) has no parametric map or segment.
    const degenerate = all.filter((m) => auditMap(m.model, m.method, m.key).some(Number.isNaN));
    expect(exported.files.filter((f) => f.kind === 'parametric-map')).toHaveLength(all.length - degenerate.length);
    expect(exported.files.filter((f) => f.kind === 'segmentation')).toHaveLength(keys().length * models.length);
    expect(exported.warnings).toEqual(degenerate.map((m) => `${m.model} / ${m.method} / ${m.key}: degenerate (constant) map, left out`));
    const manifest = JSON.parse(await readFile(exported.manifest, 'utf8'));
    expect(manifest.threshold).toEqual({ rule: { method: 'otsu' }, source: 'criteria.utility.binarize' });
    for (const key of keys()) expect(manifest.sources[key]).toMatchObject({ kind: 'phantom', generatedUids: true, rows: size, columns: size });
    expect(new Set(exported.files.map((f) => f.sopInstanceUid)).size).toBe(exported.files.length);
  });

  it('parametric maps read back by heatcheck\'s DICOM reader hold exactly the float32 maps the audit scored', async () => {
    for (const f of exported.files.filter((x) => x.kind === 'parametric-map')) {
      const decoded = await decodeFile(path.join(exported.outDir, f.file));
      expect(decoded.pixels, f.file).toBeInstanceOf(Float32Array);
      expect(decoded.shape).toEqual([1, size, size, 1]);
      expect(Buffer.from(decoded.pixels.buffer).equals(Buffer.from(auditMap(f.model, f.methods[0]!, f.image).buffer)), f.file).toBe(true);
    }
  });

  it('segmentations hold each map above the audit\'s own per-image threshold (Otsu)', async () => {
    const thresholds = await auditThresholds();
    let checked = 0;
    for (const f of exported.files.filter((x) => x.kind === 'segmentation')) {
      const decoded = await decodeFile(path.join(exported.outDir, f.file));
      expect(decoded.shape).toEqual([f.methods.length, size, size, 1]);
      f.methods.forEach((method, k) => {
        const map = auditMap(f.model, method, f.image);
        const t = otsuThreshold(map);
        expect(f.thresholds![method]).toBe(t);
        const recorded = thresholds.get(`${f.model}|${method}|${f.image}`);
        if (recorded !== undefined) {
          expect(t, `${f.file} ${method}`).toBe(recorded);
          checked++;
        }
        const frame = decoded.pixels.subarray(k * size * size, (k + 1) * size * size);
        expect(Array.from(frame), `${f.file} segment ${k + 1}`).toEqual(Array.from(map, (v) => (v > t ? 1 : 0)));
      });
    }
    // Every trained map per-image.csv scored: both replicates' eight methods and the U-Net, on every image.
    expect(checked).toBe([...thresholds].filter(([k, t]) => !k.startsWith('train+val') && Number.isFinite(t)).length);
  });

  it.skipIf(!dcmdumpTool.ok)(named('every file references its source image (dcmdump)', dcmdumpTool), async () => {
    const manifest = JSON.parse(await readFile(exported.manifest, 'utf8'));
    for (const f of exported.files.filter((_, i) => i % 5 === 0)) {
      const listing = dcmdump(path.join(exported.outDir, f.file), '-Un');
      expect(listing.code).toBe(0);
      const source = manifest.sources[f.image];
      expect(new Set(tagValues(listing.output, '0008,1155')), f.file).toEqual(new Set([source.sopInstanceUid]));
      expect(tagValues(listing.output, '0020,000d')).toEqual([source.studyInstanceUid]);
      expect(tagValues(listing.output, '0008,0018')).toEqual([f.sopInstanceUid]);
    }
  });

  it('is deterministic: a second export writes the same bytes', async () => {
    const again = await exportRunDicom({ runDir: run, models: 'all', out: path.join(dir, 'again') });
    for (const f of again.files) {
      const [a, b] = await Promise.all([readFile(path.join(again.outDir, f.file)), readFile(path.join(exported.outDir, f.file))]);
      expect(a.equals(b), f.file).toBe(true);
    }
  });

  it('falls back to the 16-bit maps/ PNGs when the step cache is gone, within their quantisation', async () => {
    const pruned = path.join(dir, 'pruned');
    await mkdir(pruned);
    await copyFile(path.join(run, 'results.json'), path.join(pruned, 'results.json'));
    await cp(path.join(run, 'maps'), path.join(pruned, 'maps'), { recursive: true });
    const out = await exportRunDicom({ runDir: pruned, images: ['img-001'] });
    expect(out.warnings.length).toBe(methods().length);
    expect(out.warnings[0]).toContain('16-bit');
    for (const f of out.files.filter((x) => x.kind === 'parametric-map')) {
      const pixels = (await decodeFile(path.join(out.outDir, f.file))).pixels;
      const exact = auditMap(f.model, f.methods[0]!, f.image);
      let worst = 0;
      for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(pixels[i]! - exact[i]!));
      expect(worst, f.file).toBeLessThanOrEqual(0.5 / 65535 + 1e-7);
      expect(f.sopInstanceUid).not.toBe(exported.files.find((e) => e.file === f.file)!.sopInstanceUid);
    }
  });

  it('refuses a dataset that no longer matches the run', async () => {
    const changed = path.join(dir, 'changed');
    await mkdir(changed);
    const copy = structuredClone(results);
    copy.inputs.dataset.items = '0'.repeat(64);
    await writeFile(path.join(changed, 'results.json'), JSON.stringify(copy));
    await expect(exportRunDicom({ runDir: changed })).rejects.toMatchObject({ code: DicomRunExportErrorCode.datasetChanged });
  });
});

describe('heatcheck export', () => {
  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
    try {
      return { code: await runCli(['node', 'heatcheck', 'export', ...args]), stdout: out.join(''), stderr: err.join('\n') };
    } finally {
      stdout.mockRestore();
      error.mockRestore();
    }
  }

  it('exports the chosen methods and images with a fixed threshold', async () => {
    const out = path.join(dir, 'cli');
    const r = await cli(run, '--out', out, '--methods', 'grad-cam,xrai', '--images', 'img-002', '--threshold', '0.5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('dicom: 2 parametric maps, 1 segmentations');
    const manifest = JSON.parse(await readFile(path.join(out, 'export.json'), 'utf8'));
    expect(manifest.files.map((f: { file: string }) => f.file)).toEqual([
      path.join('small-cnn-r1', 'img-002', 'pm-grad-cam.dcm'),
      path.join('small-cnn-r1', 'img-002', 'pm-xrai.dcm'),
      path.join('small-cnn-r1', 'img-002', 'seg.dcm'),
    ]);
    const seg = await decodeFile(path.join(out, 'small-cnn-r1', 'img-002', 'seg.dcm'));
    const map = auditMap('small-cnn-r1', 'xrai', 'img-002');
    expect(Array.from(seg.pixels.subarray(size * size))).toEqual(Array.from(map, (v) => (v > 0.5 ? 1 : 0)));
  });

  it('exits 2 naming the valid choices for an unknown method, and for a bad threshold', async () => {
    const bad = await cli(run, '--methods', 'gradcam++');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('grad-cam');
    expect((await cli(run, '--threshold', 'half')).code).toBe(2);
  });
});

describe('sources', () => {
  /** A dataset item over a file (only `source` is read for files). */
  const fileItem = (source: string): DatasetItem => ({ id: 'x', split: 'test', label: 1, source, annotation: { kind: 'mask', count: 1 }, loadImage: () => Promise.reject(new Error('not used')), loadGroundTruth: () => Promise.reject(new Error('not used')) });
  const ids = { sopInstanceUid: '1.2.826.0.1.3680043.8.498.77', studyInstanceUid: '1.2.826.0.1.3680043.8.498.78', seriesInstanceUid: '1.2.826.0.1.3680043.8.498.79', patientId: 'PATIENT-4711', instanceNumber: 3 };

  it('a DICOM source gives its own UIDs and spacing; maps are resampled to its grid and no patient identifier is copied', async () => {
    const [width, height] = [48, 40];
    const file = path.join(dir, 'source.dcm');
    await writeFile(file, writeDicomImage(new Uint8Array(width * height).fill(100), width, height, ids, 'explicit-le'));
    const source = await sourceImageOf(fileItem(file), false);
    expect(source).toEqual({ kind: 'dicom', rows: height, columns: width, studyInstanceUid: ids.studyInstanceUid, seriesInstanceUid: ids.seriesInstanceUid, sopInstanceUid: ids.sopInstanceUid, sopClassUid: '1.2.840.10008.5.1.4.1.1.7', pixelSpacing: [0.168, 0.168] });

    const map = { data: Float32Array.from({ length: size * size }, (_, i) => ((i % size) + Math.floor(i / size)) / (2 * size - 2)), width: size, height: size };
    const onGrid = onSourceGrid(map, source);
    expect([onGrid.width, onGrid.height]).toEqual([width, height]);
    const t = thresholdMap(map, onGrid, { method: 'otsu' });
    const context = { run: 'test', contentDate: '20250101', contentTime: '000000', software: { name: 'heatcheck', version: 'test' } };
    const model = { id: 'm', index: 0 };
    const pm = path.join(dir, 'resampled-pm.dcm');
    const seg = path.join(dir, 'resampled-seg.dcm');
    await writeFile(pm, encodeDicomFile(parametricMapDataset({ source, instance: derivedInstance(context, source, 'parametric-map', model, 1, ['a']), map: onGrid, label: 'GRAD', description: 'test' }), context.software));
    await writeFile(seg, encodeDicomFile(segmentationDataset({ source, instance: derivedInstance(context, source, 'segmentation', model, 1, ['a']), description: 'test', segments: [{ method: 'gradient', label: 'GRAD', algorithmName: 'x', description: 'x', mask: t.mask }] }), context.software));
    // On the source grid, the segmentation is exactly the parametric map above the threshold.
    const pmPixels = (await decodeFile(pm)).pixels;
    const segPixels = (await decodeFile(seg)).pixels;
    expect(pmPixels).toHaveLength(width * height);
    expect(Array.from(segPixels)).toEqual(Array.from(pmPixels, (v) => (v > t.threshold ? 1 : 0)));
    expect(segPixels.some((v) => v === 1) && segPixels.some((v) => v === 0)).toBe(true);
    if (dcmdumpTool.ok) {
      for (const f of [pm, seg]) {
        const listing = dcmdump(f, '-Un').output;
        expect(new Set(tagValues(listing, '0008,1155'))).toEqual(new Set([ids.sopInstanceUid]));
        expect(tagValues(listing, '0020,000d')).toEqual([ids.studyInstanceUid]);
        expect(listing).not.toContain('PATIENT-4711');
        expect(listing).not.toContain('PHANTOM');
      }
    }
  });

  it('a PNG source gets UIDs generated from the SHA-256 of its bytes', async () => {
    const file = path.join(dir, 'source.png');
    const bytes = encodeGreyPng(new Float32Array(30 * 20).fill(0.5), 30, 20, 8);
    await writeFile(file, bytes);
    const source = await sourceImageOf(fileItem(file), false);
    expect(source).toMatchObject({ kind: 'png', rows: 20, columns: 30, sopInstanceUid: hashUid('source-instance', hashBytes(bytes)), studyInstanceUid: hashUid('source-study', hashBytes(bytes)) });
  });
});
