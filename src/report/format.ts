/**
 * Text shared by the HTML and Markdown builders: HTML escaping, number and p-value formatting, and the
 * short "deciding numbers" of a verdict. One place, so both outputs say the same thing.
 */
import { methodLabel } from './methods.js';
import type { IntervalView, VerdictView } from './types.js';

const htmlEntities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values (& < > " '). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => htmlEntities[c]!);
}

/** A number with 3 decimals; NaN and missing values as an en dash. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** A p-value: two significant digits, scientific below 1e-4 (as the criteria's reasons print it). */
export function formatP(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return value < 1e-4 ? value.toExponential(1) : value.toPrecision(2);
}

/** A confidence interval as `[lower, upper]`, or an en dash. */
export function formatInterval(ci: IntervalView | null | undefined): string {
  return ci ? `[${formatNumber(ci.lower)}, ${formatNumber(ci.upper)}]` : '–';
}

/** PASS, FAIL or n/a. */
export function verdictWord(pass: boolean | null | undefined): string {
  return pass === true ? 'PASS' : pass === false ? 'FAIL' : 'n/a';
}

function num(v: VerdictView, key: string): number | null {
  const x = v.numbers[key];
  return typeof x === 'number' ? x : null;
}

function str(v: VerdictView, key: string): string {
  const x = v.numbers[key];
  return x === null || x === undefined ? '–' : String(x);
}

/** The few numbers that decided one verdict, in words, e.g. `AUPRC 0.099 vs U-Net 0.404, p = 0.001`. */
export function decidingNumbers(v: VerdictView): string {
  switch (v.criterion) {
    case 'utility':
      return `AUPRC ${formatNumber(num(v, 'meanAuprc'))} vs ${methodLabel(str(v, 'network'))} ${formatNumber(num(v, 'networkMeanAuprc'))}, p = ${formatP(num(v, 'pValue'))}`;
    case 'randomization':
      return `min SSIM ${formatNumber(num(v, 'minimumMeanSsim'))} (${str(v, 'minimumState')}) vs baseline ${formatNumber(num(v, 'baseline'))}, p = ${formatP(num(v, 'pValue'))}`;
    case 'repeatability':
    case 'reproducibility': {
      const ref = v.numbers['reference'];
      const refText = typeof ref === 'string' ? `, ${methodLabel(ref)} ${formatNumber(num(v, 'referenceMeanSsim'))} (p = ${formatP(num(v, 'strongPValue'))})` : '';
      return `SSIM ${formatNumber(num(v, 'meanSsim'))}; > ${str(v, 'threshold')}: p = ${formatP(num(v, 'weakPValue'))}${refText}`;
    }
    default:
      return Object.entries(v.numbers)
        .map(([k, x]) => `${k} ${typeof x === 'number' ? formatNumber(x) : String(x)}`)
        .join(', ');
  }
}

/** A criterion id as a heading word. */
export function criterionTitle(criterion: string): string {
  const titles: Record<string, string> = { utility: 'Utility', randomization: 'Randomization', repeatability: 'Repeatability', reproducibility: 'Reproducibility' };
  return titles[criterion] ?? criterion;
}

/** A nested object as `[dotted.path, value]` rows in key order; arrays of primitives stay one value. */
export function flattenOptions(value: unknown, prefix = ''): [string, string][] {
  if (value === null || typeof value !== 'object') return prefix ? [[prefix, formatValue(value)]] : [];
  if (Array.isArray(value)) {
    if (value.every((x) => x === null || typeof x !== 'object')) return [[prefix, formatValue(value)]];
    return value.flatMap((x, i) => flattenOptions(x, `${prefix}[${i}]`));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return prefix ? [[prefix, '{}']] : [];
  return entries.flatMap(([k, x]) => flattenOptions(x, prefix ? `${prefix}.${k}` : k));
}

function formatValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}
