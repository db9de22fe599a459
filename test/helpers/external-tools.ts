/**
 * Tests that need a program outside npm (Debian's chromium, dcmtk's dcmdump, dicom3tools' dciodvfy):
 * locally a missing program skips the test with the reason in its name; under CI (CI=true) it fails the
 * file, so an acceptance check can never pass by not running. `.ci/run` installs all three.
 */
import { existsSync } from 'node:fs';

/** Whether `program` exists; the reason and the Debian package that provides it when it does not. */
export type ToolCheck = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/** True under CI (`CI=true` or `CI=1`, as CI services and `.ci/run` set it). */
export const underCi = /^(true|1)$/i.test(process.env['CI'] ?? '');

/** Checks for `path`; throws under CI when it is missing (see the module comment). */
export function requireTool(path: string, debianPackage: string): ToolCheck {
  if (existsSync(path)) return { ok: true, path };
  const reason = `${path} not found (apt-get install ${debianPackage})`;
  if (underCi) throw new Error(`${reason}: CI must run this test; .ci/run installs it`);
  return { ok: false, reason };
}

/** A test name that says why it was skipped. */
export const named = (name: string, tool: ToolCheck): string => (tool.ok ? name : `${name} (skipped: ${tool.reason})`);
