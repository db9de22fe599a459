#!/usr/bin/env node
/**
 * The `heatcheck` command. Wiring only: each subcommand lives in cli/commands/<name>.ts and is
 * registered in cli/commands/index.ts. Exit codes: 0 ok, 1 failure, 2 bad usage or input.
 */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv);
