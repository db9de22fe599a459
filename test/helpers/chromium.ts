/**
 * Headless Chromium for the report checks: Debian's `chromium` driven by playwright-core, never a
 * downloaded browser (no `npx playwright install`). The flags keep it working as root in containers
 * (no sandbox, no /dev/shm, no GPU) and stop its own background requests (updates, field trials), so any
 * request the test sees comes from the page.
 */
import { chromium, type Browser } from 'playwright-core';
import { requireTool } from './external-tools.js';

export const chromiumPath = '/usr/bin/chromium';
export const chromiumTool = requireTool(chromiumPath, 'chromium');

/** Launches headless Chromium (playwright adds --headless). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
}
