/**
 * `npm run bench -- metrics [--runs=N]`: per-call time of the paper's per-image numbers on 320x320 maps,
 * heatcheck against the Python implementations the paper used, on the same inputs in the same run:
 * AUPRC (scikit-learn precision_recall_curve + auc), SSIM (scikit-image structural_similarity, the
 * paper's box window and the Gaussian one) and the map post-processing (numpy, PAIR's
 * VisualizeImageGrayscale + min-max). Each of `rounds` rounds (default 3) times `runs` calls (default 20)
 * of heatcheck and then of the peer, alternating so load on a shared machine hits both alike; the table
 * shows the median over rounds of the per-call medians. Ratio > 1: heatcheck is faster.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng } from '../src/core/rng.js';
import { postprocessMap } from '../src/imaging/index.js';
import { auprc, ssim, ssimSettings } from '../src/metrics/index.js';
import { median, medianMs, printTable, runPeer } from './lib/measure.js';

interface PeerResult {
  versions: Record<string, string>;
  ms: Record<'auprc' | 'ssim_box' | 'ssim_gaussian' | 'postprocess', number>;
  values: Record<'auprc' | 'ssim_box' | 'ssim_gaussian', number>;
}

const width = 320;
const height = 320;
const channels = 3;

/** A gradient-like raw map: noise everywhere, stronger inside a blob (the "lesion"). */
function makeInputs(seed: number) {
  const rng = createRng(seed);
  const pixels = width * height;
  const labels = new Uint8Array(pixels);
  const weight = new Float32Array(pixels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d2 = ((x - 200) ** 2 + (y - 120) ** 2) / 40 ** 2;
      labels[y * width + x] = d2 <= 1 ? 1 : 0;
      weight[y * width + x] = 0.3 + Math.exp(-d2);
    }
  }
  const raw = new Float32Array(pixels * channels);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) raw[p * channels + c] = rng.normal() * weight[p]!;
  const rawMap = { data: raw, width, height, channels, layout: 'hwc' as const };
  const scores = postprocessMap(rawMap).map.data;
  // A second map for SSIM: the first one, smoothed differently by fresh noise.
  const other = postprocessMap({ ...rawMap, data: raw.map((v) => v + 0.5 * rng.normal()) }).map.data;
  return { raw, rawMap, labels, scores, other };
}

type Key = 'auprc' | 'ssim_box' | 'ssim_gaussian' | 'postprocess';
const keys: readonly Key[] = ['auprc', 'ssim_box', 'ssim_gaussian', 'postprocess'];

function numberFlag(flags: string[], name: string, fallback: number): number {
  const flag = flags.find((f) => f.startsWith(`--${name}=`));
  return flag ? Number(flag.slice(name.length + 3)) : fallback;
}

export async function run(flags: string[]): Promise<void> {
  const runs = numberFlag(flags, 'runs', 20);
  const rounds = numberFlag(flags, 'rounds', 3);
  const inputs = makeInputs(2021);
  const dir = mkdtempSync(path.join(tmpdir(), 'heatcheck-bench-metrics-'));
  try {
    writeFileSync(path.join(dir, 'scores.f32'), inputs.scores);
    writeFileSync(path.join(dir, 'labels.u8'), inputs.labels);
    writeFileSync(path.join(dir, 'ssim_a.f32'), inputs.scores);
    writeFileSync(path.join(dir, 'ssim_b.f32'), inputs.other);
    writeFileSync(path.join(dir, 'raw_hwc.f32'), inputs.raw);
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ width, height, channels }));

    const box = { ...ssimSettings.arun2021, width, height, dataRange: 2 };
    const gaussian = { ...ssimSettings.wang2004, width, height, dataRange: 2 };
    const calls: Record<Key, () => unknown> = {
      auprc: () => auprc(inputs.scores, inputs.labels),
      ssim_box: () => ssim(inputs.scores, inputs.other, box),
      ssim_gaussian: () => ssim(inputs.scores, inputs.other, gaussian),
      postprocess: () => postprocessMap(inputs.rawMap),
    };
    const oursByRound: Record<Key, number[]> = { auprc: [], ssim_box: [], ssim_gaussian: [], postprocess: [] };
    const peerByRound: Record<Key, number[]> = { auprc: [], ssim_box: [], ssim_gaussian: [], postprocess: [] };
    let peer: PeerResult | undefined;
    for (let round = 0; round < rounds; round++) {
      for (const key of keys) oursByRound[key].push(await medianMs(calls[key], runs, 5));
      peer = runPeer<PeerResult>('metrics_peer.py', [dir, String(runs)]);
      for (const key of keys) peerByRound[key].push(peer.ms[key]);
    }
    const values = {
      auprc: auprc(inputs.scores, inputs.labels),
      ssim_box: ssim(inputs.scores, inputs.other, box),
      ssim_gaussian: ssim(inputs.scores, inputs.other, gaussian),
    };
    const peerMap = new Float32Array(readFileSync(path.join(dir, 'peer_final.f32')).buffer.slice(0));
    const ourMap = postprocessMap(inputs.rawMap).map.data;
    let mapDiff = 0;
    for (let i = 0; i < ourMap.length; i++) mapDiff = Math.max(mapDiff, Math.abs(ourMap[i]! - peerMap[i]!));

    console.log(
      `320x320 maps (3 channels for post-processing); ${rounds} alternating rounds of ${runs} calls, median per call; ` +
        `peer: ${Object.entries(peer!.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
    const rows = (
      [
        ['AUPRC (trapezoid)', 'auprc', 'sklearn precision_recall_curve + auc', 'auprc'],
        ['SSIM box 7x7 (paper)', 'ssim_box', 'skimage structural_similarity', 'ssim_box'],
        ['SSIM Gaussian 1.5', 'ssim_gaussian', 'skimage structural_similarity', 'ssim_gaussian'],
        ['post-processing', 'postprocess', 'numpy (PAIR grayscale + min-max)', 'map'],
      ] as const
    ).map(([label, key, peerName, valueKey]) => {
      const ours = median(oursByRound[key]);
      const theirs = median(peerByRound[key]);
      const diff = valueKey === 'map' ? mapDiff : Math.abs(values[valueKey] - peer!.values[valueKey]);
      return [label, ours, theirs, theirs / ours, peerName, diff.toExponential(1)];
    });
    printTable(['per call', 'heatcheck ms', 'python ms', 'ratio (x faster)', 'peer', '|value diff|'], rows);
    console.log('|value diff|: our result minus the peer\'s on the same input (post-processing: largest pixel difference).');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
