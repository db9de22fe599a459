// Acceptance: the report of a small real run (the tiny phantom audit of test/jobs/audit-tiny-run.ts, all
// eight methods, written by writeRunReport as `heatcheck report` does) opened in headless Chromium from a
// file URL. No console errors, no network requests, every section and chart present, every image decoded,
// prints without the navigation; a full-page screenshot is kept under the temp folder for a human look.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/data/index.js';
import { readRunReportInput, writeRunReport } from '../../src/jobs/report.js';
import { reportFigureIds, reportSections, type ReportInput } from '../../src/report/index.js';
import { chromiumTool, launchChromium } from '../helpers/chromium.js';
import { named } from '../helpers/external-tools.js';
import { runTiny } from '../jobs/audit-tiny-run.js';

let dir: string;
let screenshots: string;
let reportFile: string;
let input: ReportInput;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!chromiumTool.ok) return;
  dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-chromium-run-'));
  screenshots = await mkdtemp(path.join(tmpdir(), 'heatcheck-report-screenshot-'));
  const run = path.join(dir, 'run');
  await runTiny(run);
  reportFile = (await writeRunReport({ runDir: run })).html;
  input = await readRunReportInput(run);
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens a file in a fresh page and records every request, console error and page error. */
async function openWatched(file: string, viewport = { width: 1280, height: 900 }) {
  const page = await browser!.newPage({ viewport });
  const seen = { requests: [] as string[], failed: [] as string[], consoleErrors: [] as string[], pageErrors: [] as string[] };
  page.on('request', (r) => void seen.requests.push(r.url()));
  page.on('requestfailed', (r) => void seen.failed.push(r.url()));
  page.on('console', (m) => void (m.type() === 'error' && seen.consoleErrors.push(m.text())));
  page.on('pageerror', (e) => void seen.pageErrors.push(e.message));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  // Requests other than the page itself: anything not file:, data: or blob: is the network.
  const foreign = seen.requests.filter((u) => !/^(file|data|blob):/.test(u));
  const otherFiles = seen.requests.filter((u) => u.startsWith('file:') && u !== url);
  return { page, url, ...seen, foreign, otherFiles };
}

const sectionsOf = (page: Page) =>
  page.$$eval('main > section', (els) => els.map((e) => ({ id: e.id, heading: e.querySelector('h2')?.textContent ?? null, labelledBy: e.getAttribute('aria-labelledby') })));

describe('report.html in headless Chromium', () => {
  it.skipIf(!chromiumTool.ok)(named('loads from a file URL with no console errors and no requests', chromiumTool), async () => {
    const { page, requests, foreign, otherFiles, failed, consoleErrors, pageErrors, url } = await openWatched(reportFile);
    expect(foreign).toEqual([]);
    expect(otherFiles).toEqual([]);
    expect(requests.filter((u) => u === url)).toHaveLength(1);
    expect(failed).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it.skipIf(!chromiumTool.ok)(named('has every section, chart, table and decoded image, and saves a screenshot', chromiumTool), async () => {
    const { page } = await openWatched(reportFile);
    expect(await sectionsOf(page)).toEqual(reportSections.map((s) => ({ id: s.id, heading: s.title, labelledBy: `${s.id}-h` })));
    // Navigation: one link per section, each to an element that exists.
    const targets = await page.$$eval('nav a', (links) => links.map((a) => a.getAttribute('href')));
    expect(targets).toEqual(reportSections.map((s) => `#${s.id}`));
    // The verdict matrix first: one row per method, one column per criterion.
    expect(await page.locator('#verdicts table tbody tr').count()).toBe(input.verdicts.methods.length);
    expect(await page.locator('#verdicts table thead th').count()).toBe(1 + input.verdicts.criteria.length);
    // Figures 2-4, each in its section, drawn (an SVG with a real size), labelled and captioned.
    const figures = reportFigureIds(input);
    expect(figures).toEqual(['figure-2', 'figure-3', 'figure-4']);
    const sectionOf = { 'figure-2': 'utility', 'figure-3': 'randomization', 'figure-4': 'consistency' } as Record<string, string>;
    for (const id of figures) {
      const figure = page.locator(`section#${sectionOf[id]} figure#${id}[role="group"]`);
      expect(await figure.count(), id).toBe(1);
      expect(await figure.getAttribute('aria-label'), id).toBeTruthy();
      const box = await figure.locator('svg').first().boundingBox();
      expect(box!.width, id).toBeGreaterThan(300);
      expect(box!.height, id).toBeGreaterThan(150);
      expect(await figure.locator('svg [role="graphics-symbol"]').count(), id).toBeGreaterThan(5);
      expect((await figure.locator('figcaption').textContent())?.length, id).toBeGreaterThan(40);
    }
    // Example thumbnails: every one decoded (a broken data URL has naturalWidth 0) and described.
    const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ decoded: i.complete && i.naturalWidth > 0 && i.naturalHeight > 0, alt: i.alt })));
    expect(images.length).toBeGreaterThan(30);
    expect(images.filter((i) => !i.decoded)).toEqual([]);
    expect(images.filter((i) => i.alt.trim() === '')).toEqual([]);
    expect(await page.locator('#examples h3').count()).toBe(3);
    // Provenance names the model cards of the run.
    expect(await page.locator('#provenance h4').count()).toBe(input.provenance.models!.length);

    const shot = path.join(screenshots, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = decodePng(await readFile(shot), shot);
    expect(png.width).toBe(1280);
    expect(png.height).toBeGreaterThan(3000);
    console.info(`report screenshot: ${shot}`);
    await page.close();
  });

  it.skipIf(!chromiumTool.ok)(named('prints: navigation hidden, verdict colours kept, a PDF renders', chromiumTool), async () => {
    const { page } = await openWatched(reportFile);
    await page.emulateMedia({ media: 'print' });
    // Evaluated as strings: the test's TypeScript has no DOM library.
    expect(await page.evaluate("getComputedStyle(document.querySelector('nav')).display")).toBe('none');
    expect(await page.evaluate("getComputedStyle(document.querySelector('#verdicts td.verdict')).printColorAdjust")).toBe('exact');
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(50_000);
    await page.close();
  });

  it.skipIf(!chromiumTool.ok)(named('the checks fail on a page that loads from the network (control)', chromiumTool), async () => {
    const html = await readFile(reportFile, 'utf8');
    const control = path.join(dir, 'control.html');
    // Without the CSP the image is requested; with it, Chromium refuses it with a console error. Both must be seen.
    await writeFile(control, html.replace('<body>', '<body><img src="http://127.0.0.1:9/x.png" alt="x">').replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
    const open = await openWatched(control);
    expect(open.foreign).toEqual(['http://127.0.0.1:9/x.png']);
    await open.page.close();
    await writeFile(control, html.replace('<body>', '<body><img src="http://127.0.0.1:9/x.png" alt="x">'));
    const blocked = await openWatched(control);
    expect(blocked.consoleErrors.join('\n')).toContain('Content Security Policy');
    await blocked.page.close();
  });
});
