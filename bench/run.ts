/**
 * `npm run bench [-- name ...]`: runs bench/<name>.bench.ts (all of them when no name is given).
 * Each benchmark measures heatcheck and its peer (usually PyTorch, scikit-learn or pydicom from
 * Debian's python3 packages) in the same run and prints ratios, since this machine is shared and noisy.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const chosen = names.length ? names : available;
const unknown = chosen.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
for (const name of chosen) {
  console.log(`\n=== bench: ${name} ===`);
  const mod = (await import(`./${name}.bench.ts`)) as { run(flags: string[]): Promise<void> };
  await mod.run(flags);
}
