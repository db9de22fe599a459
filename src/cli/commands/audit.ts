/**
 * `heatcheck audit --demo [--fast] | --config file.json [--preset p] [--set key=value ...] [--out dir]
 * [--quiet | --json]`: runs (or resumes) an audit, progress on stderr, the verdict table (or the results
 * as JSON) on stdout. Exit codes: 0 ok, 2 bad config or data, 1 failure.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseConfigText, parseSetOverride, resolveConfig, type ConfigLayer } from '../../config/index.js';
import { demoBuildOptions, demoConfigLayer, demoTrainingOverrides, runAudit } from '../../jobs/audit.js';
import { writeRunReport } from '../../jobs/report.js';
import { createProgress } from '../progress.js';

interface AuditFlags {
  demo?: boolean;
  fast?: boolean;
  config?: string;
  preset?: string;
  set: string[];
  out?: string;
  quiet?: boolean;
  json?: boolean;
  progress?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

async function configFile(file: string): Promise<ConfigLayer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError('cli-config-unreadable', `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { hint: 'check the path given to --config' });
  }
  return parseConfigText(text, file);
}

/** Registers `audit`. */
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('audit saliency maps: explain, score the four criteria, write results.json, per-image.csv and maps/')
    .option('--demo', 'run the whole audit on a generated phantom (about 5 minutes on 2 cores)')
    .option('--fast', 'with --demo: fewer images, epochs and steps (under 2 minutes)')
    .option('--config <file.json>', 'audit config (JSON); see docs/config.md')
    .option('--preset <name>', 'arun2021 or recommended (default: the config\'s, else recommended)')
    .option('--set <path=value>', 'override one config field, e.g. --set images.count=50 (repeatable)', collect, [])
    .option('--out <folder>', 'run folder (default: the config\'s output.dir); a re-run resumes there')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'progress as JSON lines on stderr, results as JSON on stdout')
    .option('--progress <mode>', 'progress on stderr: auto, plain, json, quiet')
    .action(async (flags: AuditFlags) => {
      if (flags.demo && flags.config) throw new UsageError('cli-audit-demo-and-config', 'give --demo or --config, not both');
      if (!flags.demo && !flags.config) throw new UsageError('cli-audit-no-config', 'nothing to audit: give --config <file.json>, or --demo for the phantom demo');
      if (flags.fast && !flags.demo) throw new UsageError('cli-audit-fast', '--fast only applies to --demo');
      const modes = ['auto', 'tty', 'plain', 'json', 'quiet'];
      if (flags.progress !== undefined && !modes.includes(flags.progress)) throw new UsageError('cli-bad-progress', `--progress must be one of ${modes.join(', ')}, got "${flags.progress}"`);
      const file = flags.demo ? demoConfigLayer(flags.fast ? 'fast' : 'full') : await configFile(flags.config!);
      const resolved = resolveConfig({ file, overrides: flags.set.map(parseSetOverride), ...(flags.preset !== undefined ? { preset: flags.preset } : {}) });
      const mode = (flags.progress ?? (flags.quiet ? 'quiet' : flags.json ? 'json' : 'auto')) as 'auto';
      const progress = createProgress({ mode });
      const run = await runAudit({
        resolved,
        ...(flags.out !== undefined ? { outDir: flags.out } : {}),
        baseDir: flags.config ? path.dirname(path.resolve(flags.config)) : process.cwd(),
        ...(flags.config ? { configFile: path.resolve(flags.config) } : {}),
        onProgress: progress,
        ...(flags.demo ? { label: flags.fast ? 'demo --fast' : 'demo', buildOptions: demoBuildOptions, trainingOverrides: demoTrainingOverrides(flags.fast ? 'fast' : 'full') } : {}),
      });
      progress.finish();
      // The results stand without the report, so a rendering failure is a warning (re-run: heatcheck report).
      const report = await writeRunReport({ runDir: run.outDir }).catch((error: Error) => void process.stderr.write(`warning: report not written: ${error.message}\n`));
      const files = { ...run.files, ...(report ? { report: report.html, summary: report.markdown } : {}) };
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ outDir: run.outDir, files, verdicts: run.verdicts, warnings: run.results.warnings }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${run.verdictText}\n\nresults: ${run.files.results}\nper-image: ${run.files.perImage}\n${run.files.maps ? `maps: ${run.files.maps}\n` : ''}${report ? `report: ${report.html}\nsummary: ${report.markdown}\n` : ''}`);
      for (const w of run.results.warnings as string[]) process.stderr.write(`warning: ${w}\n`);
    });
}
