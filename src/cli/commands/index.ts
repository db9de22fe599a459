import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerDataCheck } from './data-check.js';
import { registerExplain } from './explain.js';
import { registerExport } from './export.js';
import { registerModelsDescribe } from './models-describe.js';
import { registerReport } from './report.js';
import { registerTrain } from './train.js';

/** Each entry adds one subcommand to the program. Add a line per command file. */
export const commands: ReadonlyArray<(program: Command) => void> = [
  registerAudit,
  registerDataCheck,
  registerExplain,
  registerExport,
  registerModelsDescribe,
  registerReport,
  registerTrain,
];
