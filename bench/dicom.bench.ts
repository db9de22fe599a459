/**
 * Decode + resize throughput of 1024x1024 chest DICOMs (JPEG baseline 8-bit, JPEG-LS lossless 12-bit
 * and 8-bit) to 320x320: heatcheck's decode pool vs pydicom 2.3 + GDCM, in the same run.
 *
 * Inputs are made at bench time in a temp folder: the oracle chest images, each file shifted and with
 * seeded noise so no two are identical, written uncompressed and compressed with dcmtk's `dcmcjpeg +eb`
 * and `dcmcjpls`. Each timed run of heatcheck is followed at once by the same run of the peer (one long-lived
 * python3 process), so drifting load on the shared machine hits both alike.
 * Flags: --files=N per group (default 24), --runs=R (default 5), --workers=W (default 2).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng } from '../src/core/rng.js';
import { createDecodePool } from '../src/data/decode-pool.js';
import { decodeDicom } from '../src/data/dicom/index.js';
import type { ResizeMethod } from '../src/imaging/resize.js';
import { imageElements, pixelBytes, writeDicom } from '../test/data/dicom/make-dicom.js';
import { debianPython, median, printTable } from './lib/measure.js';

const oracleDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../shared/oracle/dicom');

function flag(flags: string[], name: string, fallback: number): number {
  const f = flags.find((x) => x.startsWith(`--${name}=`));
  return f ? Number(f.split('=')[1]) : fallback;
}

function dcmtk(tool: string, args: string[]): void {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

/** N distinct variants of a chest image: rolled by a few rows and with +-2 units of seeded noise. */
async function makeGroup(dir: string, name: string, source: string, bits: 8 | 12, tool: string, toolArgs: string[], count: number): Promise<string[]> {
  const decoded = await decodeDicom(new Uint8Array(readFileSync(path.join(oracleDir, source))));
  const [, rows, columns] = decoded.shape;
  const base = decoded.pixels;
  const max = 2 ** bits - 1;
  const rng = createRng(bits * 1000 + count);
  const files: string[] = [];
  for (let k = 0; k < count; k++) {
    const shift = (k * 37) % rows;
    const values = new Array<number>(rows * columns);
    for (let i = 0; i < values.length; i++) {
      const v = base[(i + shift * columns) % values.length]! + rng.int(5) - 2;
      values[i] = v < 0 ? 0 : v > max ? max : v;
    }
    const raw = path.join(dir, `${name}-${k}-raw.dcm`);
    const out = path.join(dir, `${name}-${k}.dcm`);
    const el = imageElements({ rows, columns, bitsAllocated: bits === 8 ? 8 : 16, bitsStored: bits });
    writeFileSync(raw, writeDicom([...el, { tag: 0x7fe00010, vr: bits === 8 ? 'OB' : 'OW', value: pixelBytes(values, bits === 8 ? 8 : 16) }]));
    dcmtk(tool, [...toolArgs, raw, out]);
    rmSync(raw);
    files.push(out);
  }
  return files;
}

/** The long-lived peer: send a request line, await its answer line. */
function startPeer(): { time(files: string[], mode: string, procs: number): Promise<number>; stop(): void } {
  const script = new URL('./peers/dicom_peer.py', import.meta.url).pathname;
  const child = spawn(debianPython, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async time(files, mode, procs) {
      child.stdin.write(`${JSON.stringify({ files, mode, procs })}\n`);
      const next = await lines.next();
      if (next.done) throw new Error('dicom_peer.py exited; it needs python3-pydicom, python3-gdcm, python3-skimage and python3-pil');
      return (JSON.parse(next.value) as { ms: number }).ms;
    },
    stop() {
      child.stdin.end();
    },
  };
}

/** Runs the benchmark and prints a table of images per second and ratios. */
export async function run(flags: string[]): Promise<void> {
  const count = flag(flags, 'files', 24);
  const runs = flag(flags, 'runs', 5);
  const workers = flag(flags, 'workers', 2);
  const dir = mkdtempSync(path.join(tmpdir(), 'heatcheck-dicom-bench-'));
  try {
    const groups: Record<string, string[]> = {
      'JPEG baseline 8-bit': await makeGroup(dir, 'jpeg8', 'cxr_jpeg_baseline.dcm', 8, 'dcmcjpeg', ['+eb'], count),
      'JPEG-LS lossless 12-bit': await makeGroup(dir, 'jls12', 'cxr_mono2_12bit_jpeg_lossless.dcm', 12, 'dcmcjpls', [], count),
      'JPEG-LS lossless 8-bit': await makeGroup(dir, 'jls8', 'cxr_jpeg_baseline.dcm', 8, 'dcmcjpls', [], count),
    };
    for (const [group, files] of Object.entries(groups)) {
      const ts = (await decodeDicom(new Uint8Array(readFileSync(files[0]!)))).attributes.transferSyntaxName;
      console.log(`${group}: ${files.length} files of 1024x1024, ${ts}`);
    }
    // heatcheck: the decode pool, all files submitted at once (the pool queues them); the peer right after.
    const ours: Record<string, number> = {};
    const peer: Record<string, number> = {};
    const pool = createDecodePool({ workers });
    const python = startPeer();
    const modes: { mode: ResizeMethod | 'none'; peer: string }[] = [
      { mode: 'none', peer: 'none' },
      { mode: 'area', peer: 'pil-box' },
      { mode: 'bilinear', peer: 'skimage' },
    ];
    try {
      for (const [group, files] of Object.entries(groups)) {
        for (const { mode, peer: peerMode } of modes) {
          const options = mode === 'none' ? {} : { resize: { width: 320, height: 320, method: mode } };
          await Promise.all(files.slice(0, workers * 3).map((f) => pool.readImage(f, options))); // warm-up
          await python.time(files.slice(0, 2), peerMode, 1);
          const times = { ours: [] as number[], one: [] as number[], many: [] as number[] };
          for (let r = 0; r < runs; r++) {
            const t0 = performance.now();
            await Promise.all(files.map((f) => pool.readImage(f, options)));
            times.ours.push(performance.now() - t0);
            times.one.push(await python.time(files, peerMode, 1));
            times.many.push(await python.time(files, peerMode, workers));
          }
          ours[`${group}|${mode}`] = median(times.ours);
          peer[`${group}|${peerMode}|1`] = median(times.one);
          peer[`${group}|${peerMode}|${workers}`] = median(times.many);
        }
      }
    } finally {
      python.stop();
      await pool.close();
    }

    const perSecond = (ms: number): number => (count * 1000) / ms;
    const rows: (string | number)[][] = [];
    for (const group of Object.keys(groups)) {
      for (const { mode, peer: peerMode } of modes) {
        const us = perSecond(ours[`${group}|${mode}`]!);
        const p1 = perSecond(peer[`${group}|${peerMode}|1`]!);
        const pw = perSecond(peer[`${group}|${peerMode}|${workers}`]!);
        rows.push([group, mode === 'none' ? 'decode only' : `${mode} vs ${peerMode}`, us, p1, us / p1, pw, us / pw]);
      }
    }
    console.log(`\nmedian of ${runs} runs, ${count} files per group, heatcheck pool of ${workers} workers; images/s (higher is better)`);
    printTable(['group', 'resize to 320', `heatcheck ${workers}w`, 'pydicom 1p', 'ratio', `pydicom ${workers}p`, 'ratio'], rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
