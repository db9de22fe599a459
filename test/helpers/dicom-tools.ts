/** dcmtk's dcmdump and dicom3tools' dciodvfy on a file, and the values of a tag in dcmdump's listing. */
import { spawnSync } from 'node:child_process';
import { requireTool } from './external-tools.js';

export const dcmdumpTool = requireTool('/usr/bin/dcmdump', 'dcmtk');
export const dciodvfyTool = requireTool('/usr/bin/dciodvfy', 'dicom3tools');

/** Runs a program; stdout and stderr together in `output`. */
function run(program: string, args: readonly string[]): { code: number | null; output: string } {
  const r = spawnSync(program, args, { encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** `dcmdump [options] <file>` (every element, sequences expanded; `-Un` prints UIDs as numbers). */
export const dcmdump = (file: string, ...options: string[]) => run('/usr/bin/dcmdump', [...options, file]);

/** `dciodvfy <file>`: checks the data set against its IOD (modules, types, enumerated values). */
export const dciodvfy = (file: string) => run('/usr/bin/dciodvfy', [file]);

/** Every value of `tag` (e.g. `0008,1155`) in a dcmdump listing, in order of appearance (nested items included). */
export function tagValues(listing: string, tag: string): string[] {
  const pattern = new RegExp(`^\\s*\\(${tag.toLowerCase()}\\) [A-Z]{2} (?:\\[([^\\]]*)\\]|=(\\S+)|(\\(no value available\\)))`, 'gm');
  return [...listing.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? '');
}
