/**
 * `npx tsx scripts/shortcut-audit.ts [--kind=token|tube] [--out=dir] [--full]`
 *
 * Issue #7's planted-shortcut check at the demo's size (a whole `--demo --fast` audit; `npm test` runs a
 * 32 px version against an honest run, test/jobs/shortcut-audit.test.ts): the demo's phantom with a
 * marker on every positive and no negative (`shortcut.positiveRate` 1, `negativeRate` 0), so the
 * classifiers can learn the marker instead of the lesion. Prints one JSON line: per method, the
 * trained maps' mean AUPRC against the lesions and their mean share of (positive) saliency mass on the
 * marker and on the lesion boxes, each also divided by that region's share of the image (enrichment; 1 =
 * no preference), and the verdict table's utility column. A re-run reuses the audit's finished steps.
 */
import path from 'node:path';
import { resolveConfig } from '../src/config/index.js';
import { generatePhantom } from '../src/data/phantom/index.js';
import { demoBuildOptions, demoConfigLayer, demoTrainingOverrides, runAudit } from '../src/jobs/audit.js';
import { DATA_FILES } from '../src/jobs/audit/data.js';
import { mapFile } from '../src/jobs/audit/explain.js';
import { readMapAt } from '../src/jobs/audit/map-store.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const kind = arg('kind', 'token') as 'token' | 'tube';
const size = args.includes('--full') ? 'full' : 'fast';
const outDir = path.resolve(arg('out', `shortcut-${kind}`));

const layer = demoConfigLayer(size);
const data = layer.data as { dataset: { phantom: Record<string, unknown> } };
data.dataset.phantom = { ...data.dataset.phantom, shortcut: { kind, positiveRate: 1, negativeRate: 0 } };
const resolved = resolveConfig({ file: { ...layer, source: `shortcut ${kind} (${size})` } });
const t0 = performance.now();
const run = await runAudit({ resolved, outDir, buildOptions: demoBuildOptions, trainingOverrides: demoTrainingOverrides(size), label: `shortcut ${kind}` });
const seconds = Math.round((performance.now() - t0) / 1000);

// The audit's selection (`images.selection: first`, all positives of the test split, in dataset order) redrawn with the marker masks.
const config = resolved.config;
const p = config.dataset.phantom!;
const n = config.dataset.imageSize;
const markers = [...generatePhantom({ size: n, seed: config.seed, lesion: p.lesion ?? 'pneumonia', count: p.count!, prevalence: p.prevalence!, shortcut: { kind, positiveRate: 1, negativeRate: 0 } })]
  .filter((s) => s.split === 'test' && s.label === 1)
  .map((s) => s.shortcutMask.data);
const results = run.results as { utility: { methods: { method: string; trained: { auprc: { mean: number } } }[]; network: { summary: { auprc: { mean: number } } } }; inputs: { steps: Record<string, string> } };
const stepDir = (id: string) => path.join(outDir, 'steps', id.split('/')[0]!, results.inputs.steps[id]!);
const replicates = config.models.replicates.models.map((_, k) => `${config.models.replicates.name}-r${k + 1}`);
const share = (masks: ArrayLike<number>[]) => {
  let total = 0;
  for (const m of masks) for (let j = 0; j < m.length; j++) total += m[j]! ? 1 / m.length : 0;
  return total / masks.length;
};
const lesions = markers.map((_, i) => readMapAt(path.join(stepDir('data'), DATA_FILES.truth), n, n, i).data);
const markerShare = share(markers);
const lesionShare = share(lesions);
const methods = results.utility.methods.map((m) => {
  let mass = 0;
  let lesionMass = 0;
  let count = 0;
  for (const model of replicates) {
    const file = path.join(stepDir(`explain/${model}/original`), mapFile(m.method));
    markers.forEach((marker, i) => {
      const map = readMapAt(file, n, n, i).data;
      let on = 0;
      let onLesion = 0;
      let all = 0;
      for (let j = 0; j < map.length; j++) {
        const v = Math.max(0, map[j]!);
        all += v;
        if (marker[j]) on += v;
        if (lesions[i]![j]) onLesion += v;
      }
      if (all > 0) {
        mass += on / all;
        lesionMass += onLesion / all;
        count++;
      }
    });
  }
  const verdict = run.verdicts.verdicts.find((v) => v.method === m.method && v.criterion === 'utility');
  const r3 = (v: number) => +v.toFixed(3);
  return {
    method: m.method,
    auprc: r3(m.trained.auprc.mean),
    markerMass: r3(mass / count),
    markerEnrichment: r3(mass / count / markerShare),
    lesionMass: r3(lesionMass / count),
    lesionEnrichment: r3(lesionMass / count / lesionShare),
    utility: verdict?.pass ? 'pass' : 'FAIL',
  };
});
const models = (run.results as { inputs: { models: Record<string, { metrics: unknown }> } }).inputs.models;
process.stdout.write(`${JSON.stringify({ kind, size, seconds, images: markers.length, markerShare: +markerShare.toFixed(4), lesionShare: +lesionShare.toFixed(4), networkAuprc: +results.utility.network.summary.auprc.mean.toFixed(3), methods, models: Object.fromEntries(Object.entries(models).map(([k, v]) => [k, v.metrics])) })}\n`);
process.stdout.write(`${run.verdictText}\n`);
