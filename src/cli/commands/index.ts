import type { Command } from 'commander';

/** Each entry adds one subcommand to the program. Add a line per command file. */
export const commands: ReadonlyArray<(program: Command) => void> = [];
