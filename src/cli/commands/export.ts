/**
 * `heatcheck export <run-folder> [--out dir] [--models ids|all] [--methods ids] [--images keys]
 * [--threshold t]`: writes the run's final maps as DICOM Parametric Maps and their thresholded masks as
 * DICOM Segmentations referencing the source images, plus `export.json`. Exit codes: 0 ok, 2 bad flags or
 * run folder, 1 failure.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { exportRunDicom } from '../../jobs/dicom-export/export.js';

interface ExportFlags {
  out?: string;
  models?: string;
  methods?: string;
  images?: string;
  threshold?: string;
}

const list = (value: string | undefined): string[] | undefined => value?.split(',').map((s) => s.trim()).filter(Boolean);

/** Registers `export`. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write an audit run\'s maps as DICOM Parametric Maps and thresholded maps as DICOM Segmentations (see docs/report.md)')
    .argument('<run-folder>', 'the folder heatcheck audit wrote')
    .option('--out <folder>', 'output folder (default <run-folder>/dicom)')
    .option('--models <ids>', 'comma-separated model ids, or all (default: the first replicate)')
    .option('--methods <ids>', 'comma-separated methods (default: all)')
    .option('--images <keys>', 'comma-separated image keys, e.g. img-001,img-002 (default: all)')
    .option('--threshold <t>', 'fixed threshold for the segmentations (default: the audit\'s rule, criteria.utility.binarize)')
    .action(async (runDir: string, flags: ExportFlags) => {
      const threshold = flags.threshold === undefined ? undefined : Number(flags.threshold);
      if (threshold !== undefined && !Number.isFinite(threshold)) throw new UsageError('cli-bad-threshold', `--threshold must be a number, got "${flags.threshold}"`, { hint: 'e.g. --threshold 0.5, or leave it out to use the audit\'s rule' });
      const models = flags.models === 'all' ? 'all' : list(flags.models);
      const methods = list(flags.methods);
      const images = list(flags.images);
      const result = await exportRunDicom({
        runDir,
        ...(flags.out !== undefined ? { out: flags.out } : {}),
        ...(models !== undefined ? { models } : {}),
        ...(methods !== undefined ? { methods } : {}),
        ...(images !== undefined ? { images } : {}),
        ...(threshold !== undefined ? { threshold } : {}),
      });
      const count = (kind: string) => result.files.filter((f) => f.kind === kind).length;
      process.stdout.write(
        `dicom: ${count('parametric-map')} parametric maps, ${count('segmentation')} segmentations (${(result.bytes / 2 ** 20).toFixed(1)} MiB) in ${result.outDir}\nmanifest: ${result.manifest}\n`,
      );
      for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    });
}
