/**
 * `heatcheck data check <dataset>`: opens a SIIM-ACR, RSNA or folder dataset, loads every item, and
 * prints counts per split and problems by kind with their first examples (text, or `--json`).
 * Exit codes: 0 no problems (or, with --skip-bad, problems but usable items); 1 problems; 2 unusable.
 */
import type { Command } from 'commander';
import { HeatcheckError, UsageError } from '../../core/errors.js';
import { checkDataset, formatCheckReport } from '../../data/check.js';
import { openDataset, type DiskFormat } from '../../data/open.js';

interface DataCheckFlags {
  format?: string;
  json?: boolean;
  skipBad?: boolean;
  splitFile?: string;
  seed?: string;
  images?: boolean;
  examples?: string;
}

const FORMATS: readonly DiskFormat[] = ['siim', 'rsna', 'folder'];

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError('bad-flag', `${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Runs the check and returns the exit code. */
export async function runDataCheck(root: string, flags: DataCheckFlags): Promise<number> {
  if (flags.format !== undefined && !FORMATS.includes(flags.format as DiskFormat)) {
    throw new UsageError('bad-flag', `--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(flags.format)}`);
  }
  const seed = integer('--seed', flags.seed);
  const examples = integer('--examples', flags.examples);
  // Always collect every problem; --skip-bad only decides whether problems fail the check.
  const dataset = await openDataset(root, {
    skipBad: true,
    ...(flags.format !== undefined ? { format: flags.format as DiskFormat } : {}),
    ...(flags.splitFile !== undefined ? { splitFile: flags.splitFile } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });
  const interactive = process.stderr.isTTY && !flags.json;
  const report = await checkDataset(dataset, {
    readImages: flags.images !== false,
    ...(examples !== undefined ? { examples } : {}),
    onProgress: interactive
      ? (e) => {
          if (e.done % 100 === 0 || e.done === e.total) process.stderr.write(`\rchecked ${e.done}/${e.total}`);
          if (e.done === e.total) process.stderr.write('\n');
        }
      : undefined,
  });
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCheckReport(report)}\n`);
  if (report.problemCount === 0) return 0;
  return flags.skipBad && report.total.images > 0 ? 0 : 1;
}

/** Registers `data check` (creating the `data` command group if no other command has). */
export function registerDataCheck(program: Command): void {
  const data = program.commands.find((c) => c.name() === 'data') ?? program.command('data').description('work with datasets');
  data
    .command('check')
    .description('validate a dataset: counts per split, problems by kind with examples')
    .argument('<dataset>', 'dataset folder (SIIM-ACR, RSNA or folder layout; see docs/data.md)')
    .option('--format <format>', 'siim, rsna or folder (default: detected from the files)')
    .option('--split-file <path>', 'split file (index, Image_ID, Split); default: the one in the folder, if any')
    .option('--seed <n>', 'seed of the split when there is no split file', '0')
    .option('--no-images', 'check label files only; do not read images and masks')
    .option('--examples <n>', 'examples shown per problem kind', '3')
    .option('--json', 'print the report as JSON')
    .option('--skip-bad', 'problems do not fail the check as long as usable items remain')
    .action(async (root: string, flags: DataCheckFlags) => {
      // runCli turns a thrown HeatcheckError into exit code 1 after the report is printed.
      if ((await runDataCheck(root, flags)) !== 0) {
        throw new HeatcheckError('data-check-failed', `the dataset check found problems in ${root}`, {
          hint: 'fix them, or pass --skip-bad to accept skipping the bad items',
        });
      }
    });
}
