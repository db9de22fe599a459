/**
 * `heatcheck models describe <architecture | file.onnx> [--input-size N] [--json]`: layers, parameter
 * count (BatchNorm statistics included), Grad-CAM layer and randomization blocks.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { describeModelTarget } from '../../jobs/models-describe.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('cli-bad-number', `expected a positive integer, got "${value}"`);
  return n;
}

/** Registers `models describe`. */
export function registerModelsDescribe(program: Command): void {
  const models = program.commands.find((c) => c.name() === 'models') ?? program.command('models').description('build, inspect and train models');
  models
    .command('describe <target>')
    .description('describe an architecture (inceptionv3, densenet121, small-cnn, small-resnet, unet, retinanet) or an .onnx file')
    .option('--input-size <n>', 'input size of a built architecture', positiveInt)
    .option('--json', 'print the full description as JSON (every layer)')
    .option('--layers', 'list every layer in the text output')
    .action(async (target: string, options: { inputSize?: number; json?: boolean; layers?: boolean }) => {
      const d = await describeModelTarget(target, options.inputSize ? { inputSize: options.inputSize } : {});
      if (options.json) {
        process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
        return;
      }
      const n = (x: number) => x.toLocaleString('en-US');
      const lines = [
        `${d.name} (${d.architecture}, ${d.task})`,
        `input      ${d.input.name} [${d.input.shape.join(', ')}]`,
        `output     ${d.output}`,
        `parameters ${n(d.parameters.total)} (trainable ${n(d.parameters.trainable)}, BatchNorm statistics ${n(d.parameters.statistics)})` +
          (d.parameters.withoutHead !== undefined ? `; without the head ${n(d.parameters.withoutHead)}` : ''),
        `Grad-CAM   ${d.gradCamLayer ?? '(none)'}`,
        `layers     ${d.layers.length}: ${Object.entries(d.opCounts).sort((a, b) => b[1] - a[1]).map(([op, c]) => `${c} ${op}`).join(', ')}`,
        `randomization blocks (top-down${d.blockSource ? `, from ${d.blockSource}` : ''}):`,
        ...(d.blocks.length ? d.blocks.map((b) => `  ${b.name.padEnd(14)} ${String(b.initializers).padStart(4)} tensors ${n(b.parameters).padStart(12)} values${b.output ? `  -> ${b.output}` : ''}`) : [`  (unknown) ${d.blockProblem ?? ''}`]),
      ];
      if (options.layers) for (const l of d.layers) lines.push(`  ${l.op.padEnd(20)} ${l.name} [${l.shape?.join(', ') ?? '?'}]${l.parameters ? ` ${n(l.parameters)}` : ''}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
