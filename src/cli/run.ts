import { Command, CommanderError } from 'commander';
import { HeatcheckError } from '../core/errors.js';
import { commands } from './commands/index.js';
import { version } from './version.js';

/** Builds the program with every registered command. */
export function buildProgram(): Command {
  const program = new Command('heatcheck')
    .description('Audit whether saliency maps of chest X-ray classifiers can be trusted to localize disease.')
    .version(version, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI and returns the exit code; typed errors become one clear message on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed help or the usage problem.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof HeatcheckError) {
      console.error(`heatcheck: ${error.message}`);
      return error.name === 'UsageError' || error.name === 'ConfigError' || error.name === 'DataError' ? 2 : 1;
    }
    console.error(`heatcheck: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
