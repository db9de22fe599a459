/**
 * `heatcheck report <run-folder> [--out report.html]`: renders an audit run folder as a self-contained
 * `report.html` and a Markdown `summary.md` beside it. Exit codes: 0 ok, 2 not a run folder, 1 failure.
 */
import type { Command } from 'commander';
import { writeRunReport } from '../../jobs/report.js';

interface ReportFlags {
  out?: string;
}

/** Registers `report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render an audit run folder as a self-contained report.html and a Markdown summary.md')
    .argument('<run-folder>', 'the folder heatcheck audit wrote (results.json, per-image.csv, maps/)')
    .option('--out <report.html>', 'where the HTML goes (default <run-folder>/report.html); summary.md is written beside it')
    .action(async (runDir: string, flags: ReportFlags) => {
      const report = await writeRunReport({ runDir, ...(flags.out !== undefined ? { out: flags.out } : {}) });
      process.stdout.write(`report: ${report.html} (${Math.round(report.bytes / 1024)} KiB)\nsummary: ${report.markdown}\n`);
    });
}
