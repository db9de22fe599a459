/**
 * The README's screenshot of a report: the top of the page (verdict matrix and the first chart) in
 * headless Chromium (Debian's, see test/helpers/chromium.ts), re-encoded with zlib level 9.
 *
 *   npx tsx scripts/report-screenshot.ts <run>/report.html docs/images/report.png [--width 1200]
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { decode, encode } from 'fast-png';
import { launchChromium } from '../test/helpers/chromium.js';

const [input, output, ...rest] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: tsx scripts/report-screenshot.ts <report.html> <out.png> [--width 1200]');
  process.exit(2);
}
const widthAt = rest.indexOf('--width');
const width = widthAt >= 0 ? Number(rest[widthAt + 1]) : 1200;

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(pathToFileURL(input).href, { waitUntil: 'load' });
  const chart = await page.locator('figure.chart').first().boundingBox();
  if (!chart) throw new Error(`${input} has no chart to end the screenshot at`);
  const shot = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width, height: Math.ceil(chart.y + chart.height + 16) } });
  const png = decode(shot);
  const bytes = encode({ width: png.width, height: png.height, data: png.data, channels: png.channels, depth: png.depth }, { zlib: { level: 9 } });
  await writeFile(output, bytes);
  console.log(`${output}: ${png.width}x${png.height}, ${Math.round(bytes.length / 1024)} KiB (Chromium's PNG: ${Math.round(shot.length / 1024)} KiB)`);
} finally {
  await browser.close();
}
