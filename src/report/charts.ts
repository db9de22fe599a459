/**
 * The paper's figures as declarative vega-lite specs (Arun et al. 2021,
 * https://doi.org/10.1148/ryai.2021200267): Figure 2 (per-image AUPRC box plots), Figure 3 (SSIM against
 * randomization state) and Figure 4 (repeatability and reproducibility box plots), rendered to SVG in
 * Node with vega's headless `View.toSVG()` (no browser, no canvas; text widths are estimated). Data is
 * inlined, so rendering never loads anything.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { methodLabel, methodStyle } from './methods.js';
import type { ConsistencyView, PerImageRowView, RandomizationView, ReportInput, UtilityView } from './types.js';

/** A chart spec with what the report says about it. */
export interface ChartSpec {
  /** Stable id, also the prefix of the SVG's internal ids (several SVGs share one HTML page). */
  readonly id: string;
  readonly title: string;
  /** Alt text: what the chart shows, in one or two sentences. */
  readonly description: string;
  readonly spec: TopLevelSpec;
}

/** A rendered chart. */
export interface ChartSvg {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly svg: string;
  /** What vega or vega-lite warned about while rendering (never printed). */
  readonly warnings: readonly string[];
}

const font = 'Helvetica, Arial, sans-serif';
const baseConfig = {
  font,
  background: 'white',
  view: { stroke: '#888888' },
  axis: { labelFontSize: 11, titleFontSize: 12, labelColor: '#222222', titleColor: '#222222', gridColor: '#e4e4e4' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, anchor: 'start' as const, color: '#111111' },
};

const finite = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Per-image values of rows matching `keep`, averaged per (key, image) over models and pairs, in first-seen order. */
export function perImageValues(
  rows: readonly PerImageRowView[],
  keep: (row: PerImageRowView) => string | undefined,
  value: (row: PerImageRowView) => number | undefined,
): Map<string, number[]> {
  const sums = new Map<string, Map<string, { sum: number; n: number }>>();
  for (const row of rows) {
    const key = keep(row);
    const v = value(row);
    if (key === undefined || !finite(v)) continue;
    let byImage = sums.get(key);
    if (!byImage) sums.set(key, (byImage = new Map()));
    const cell = byImage.get(row.image) ?? { sum: 0, n: 0 };
    cell.sum += v;
    cell.n++;
    byImage.set(row.image, cell);
  }
  const out = new Map<string, number[]>();
  for (const [key, byImage] of sums) out.set(key, [...byImage.values()].map((c) => c.sum / c.n));
  return out;
}

const trainedLabel = 'Trained';
const randomizedLabel = 'Randomized';
const baselineLabel = 'Baseline';

/** Figure 2: per-image AUPRC box plots, trained and randomized, with the baselines' means as dashed lines; null without per-image rows. */
export function utilityChartSpec(utility: UtilityView, rows: readonly PerImageRowView[]): ChartSpec | null {
  const network = utility.network.method;
  const prior = utility.prior?.method;
  const values = perImageValues(
    rows,
    (r) => {
      if (r.criterion !== 'utility') return undefined;
      if (r.method === network || r.method === prior) return `${r.method}\u0000${baselineLabel}`;
      if (r.state === 'trained') return `${r.method}\u0000${trainedLabel}`;
      if (r.state === 'fully-randomized' || r.state === 'randomized') return `${r.method}\u0000${randomizedLabel}`;
      return undefined;
    },
    (r) => r.auprc,
  );
  const order = [...(prior ? [prior] : []), network, ...utility.methods.map((m) => m.method)];
  const data: { method: string; set: string; auprc: number }[] = [];
  for (const method of order) {
    for (const set of [baselineLabel, trainedLabel, randomizedLabel]) {
      for (const v of values.get(`${method}\u0000${set}`) ?? []) data.push({ method: methodLabel(method), set, auprc: v });
    }
  }
  if (data.length === 0) return null;
  const lines = [
    ...(utility.prior && finite(utility.prior.summary.auprc.mean) ? [{ label: `${methodLabel(utility.prior.method)} mean`, value: utility.prior.summary.auprc.mean }] : []),
    ...(finite(utility.network.summary.auprc.mean) ? [{ label: `${methodLabel(network)} mean`, value: utility.network.summary.auprc.mean }] : []),
  ];
  const labels = order.map(methodLabel);
  const description =
    `Box plots of per-image AUPRC for ${labels.join(', ')}; for each saliency method the trained and the fully randomized model. ` +
    'In each box the solid line is the median and the dashed line the mean; the horizontal dashed lines are the means of the baselines.';
  const spec = groupedBoxPlotSpec({
    description,
    title: 'Localization utility (Figure 2)',
    subtitle: 'per-image AUPRC; solid = median, dashed = mean',
    data,
    lines,
    methods: labels,
    field: 'auprc',
    axisTitle: 'Per-image AUPRC',
    domain: [0, 1],
    sets: [baselineLabel, trainedLabel, randomizedLabel],
    colours: ['#bdbdbd', '#6baed6', '#fdae6b'],
  });
  return { id: 'figure-2', title: 'Figure 2: per-image AUPRC', description, spec };
}

/** Figure 3: SSIM with the original map against randomization state, one line per method with its ±SD band and its baseline dashed. */
export function randomizationChartSpec(randomization: RandomizationView): ChartSpec | null {
  if (randomization.methods.length === 0) return null;
  const methods = randomization.methods.map((m) => m.method);
  const states: string[] = [];
  for (const m of randomization.methods) for (const p of m.curve) if (!states.includes(p.state)) states.push(p.state);
  const stateLabel = (s: string): string => (s === 'original' ? 'Original' : s === 'logits' ? 'Logits' : s);
  const points = randomization.methods.flatMap((m) =>
    m.curve
      .filter((p) => finite(p.mean))
      .map((p) => ({
        method: methodLabel(m.method),
        state: stateLabel(p.state),
        mean: p.mean,
        lower: finite(p.sd) ? p.mean - p.sd : p.mean,
        upper: finite(p.sd) ? p.mean + p.sd : p.mean,
      })),
  );
  const baselines = randomization.methods.filter((m) => finite(m.baseline.value)).map((m) => ({ method: methodLabel(m.method), baseline: m.baseline.value }));
  const styles = methods.map((m) => methodStyle(m, methods));
  const domain = styles.map((s) => s.label);
  const low = Math.min(0, ...points.map((p) => p.lower), ...baselines.map((b) => b.baseline));
  const description =
    `Mean SSIM between each image's map and its map from the trained model, at each cascading randomization state (${states.map(stateLabel).join(', ')}), ` +
    `for ${domain.join(', ')}; shaded bands are ±1 SD over replicates and each method's randomization baseline is a dashed line in its colour.`;
  const x = { field: 'state', type: 'ordinal' as const, sort: states.map(stateLabel), title: 'Randomization state (cascading, top down)', axis: { labelAngle: -40 } };
  const color = { field: 'method', type: 'nominal' as const, title: 'Method', scale: { domain, range: styles.map((s) => s.color) } };
  const y = { type: 'quantitative' as const, scale: { domain: [Math.floor(low * 10) / 10, 1] } };
  const spec: TopLevelSpec = {
    description,
    title: { text: 'Sensitivity to model-weight randomization (Figure 3)', subtitle: 'mean ± SD over replicates; dashed = randomization baseline' },
    width: Math.max(360, 34 * states.length),
    height: 280,
    config: baseConfig,
    layer: [
      {
        data: { values: points },
        mark: { type: 'area', opacity: 0.14 },
        encoding: { x, y: { ...y, field: 'lower', title: 'SSIM with the original map' }, y2: { field: 'upper' }, color: { ...color, legend: null } },
      },
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 1.6, point: { filled: true, size: 36 } },
        encoding: {
          x,
          y: { ...y, field: 'mean' },
          color,
          shape: { field: 'method', type: 'nominal', title: 'Method', scale: { domain, range: styles.map((s) => (s.shape === 'stroke' ? 'circle' : s.shape)) } },
        },
      },
      {
        data: { values: baselines },
        mark: { type: 'rule', strokeDash: [5, 4], strokeWidth: 1.2 },
        encoding: { y: { ...y, field: 'baseline' }, color: { ...color, legend: null } },
      },
    ],
  };
  return { id: 'figure-3', title: 'Figure 3: SSIM against randomization state', description, spec };
}

const repeatabilityLabel = 'Repeatability';
const reproducibilityLabel = 'Reproducibility';

/** Figure 4: per-image SSIM box plots of repeatability and reproducibility, the localization network's as reference, dashed lines at its mean and at the threshold. */
export function consistencyChartSpec(
  repeatability: ConsistencyView | undefined,
  reproducibility: ConsistencyView | undefined,
  rows: readonly PerImageRowView[],
): ChartSpec | null {
  const results = [repeatability, reproducibility].filter((r): r is ConsistencyView => r !== undefined);
  if (results.length === 0) return null;
  const reference = results.find((r) => r.reference)?.reference ?? null;
  const methods: string[] = [];
  for (const r of results) for (const m of r.methods) if (!methods.includes(m.method)) methods.push(m.method);
  const values = perImageValues(
    rows,
    (r) => {
      if (r.criterion !== 'repeatability' && r.criterion !== 'reproducibility') return undefined;
      if (reference && r.method === reference.method) return r.criterion === 'repeatability' ? `${r.method}\u0000${baselineLabel}` : undefined;
      return `${r.method}\u0000${r.criterion === 'repeatability' ? repeatabilityLabel : reproducibilityLabel}`;
    },
    (r) => r.ssim,
  );
  const order = [...(reference ? [reference.method] : []), ...methods];
  const data: { method: string; set: string; ssim: number }[] = [];
  for (const method of order) {
    for (const set of [baselineLabel, repeatabilityLabel, reproducibilityLabel]) {
      for (const v of values.get(`${method}\u0000${set}`) ?? []) data.push({ method: methodLabel(method), set, ssim: v });
    }
  }
  if (data.length === 0) return null;
  const threshold = results[0]!.threshold;
  const lines = [
    ...(reference && finite(reference.summary.mean) ? [{ label: `${methodLabel(reference.method)} mean`, value: reference.summary.mean }] : []),
    ...(finite(threshold) ? [{ label: `${threshold}`, value: threshold }] : []),
  ];
  const labels = order.map(methodLabel);
  const low = Math.min(0, ...data.map((d) => d.ssim));
  const description =
    `Box plots of per-image SSIM between maps of two replicates of the same architecture (repeatability) and of two architectures (reproducibility) for ${methods.map(methodLabel).join(', ')}` +
    `${reference ? `, with the ${methodLabel(reference.method)} replicate-versus-replicate SSIM as the reference` : ''}. Dashed lines mark ${lines.map((l) => l.label).join(' and ')}.`;
  const spec = groupedBoxPlotSpec({
    description,
    title: 'Repeatability and reproducibility (Figure 4)',
    subtitle: 'per-image SSIM; solid = median, dashed = mean',
    data,
    lines,
    methods: labels,
    field: 'ssim',
    axisTitle: 'Per-image SSIM',
    domain: [Math.floor(low * 10) / 10, 1],
    sets: [baselineLabel, repeatabilityLabel, reproducibilityLabel],
    colours: ['#bdbdbd', '#a1d99b', '#238b45'],
  });
  return { id: 'figure-4', title: 'Figure 4: repeatability and reproducibility', description, spec };
}

/** What a grouped box-plot figure (Figures 2 and 4) needs: rows `{ method, set, [field] }`, dashed reference lines, the order of methods and sets. */
interface GroupedBoxPlot {
  readonly description: string;
  readonly title: string;
  readonly subtitle: string;
  readonly data: readonly Record<string, unknown>[];
  readonly lines: readonly { label: string; value: number }[];
  readonly methods: readonly string[];
  readonly field: string;
  readonly axisTitle: string;
  readonly domain: readonly [number, number];
  readonly sets: readonly string[];
  readonly colours: readonly string[];
}

/** Box plots per method and set (solid median, dashed mean tick) with labelled dashed horizontal reference lines. */
function groupedBoxPlotSpec(plot: GroupedBoxPlot): TopLevelSpec {
  const x = { field: 'method', type: 'nominal' as const, sort: [...plot.methods], title: null, axis: { labelAngle: 0 } };
  const xOffset = { field: 'set', type: 'nominal' as const, sort: [...plot.sets] };
  const y = { field: plot.field, type: 'quantitative' as const, title: plot.axisTitle, scale: { domain: [...plot.domain] } };
  return {
    description: plot.description,
    title: { text: plot.title, subtitle: plot.subtitle },
    width: { step: 44 },
    height: 260,
    config: baseConfig,
    layer: [
      {
        data: { values: [...plot.data] },
        mark: { type: 'boxplot', extent: 1.5, size: 12, median: { color: '#000000', strokeWidth: 1.5 }, rule: { color: '#000000' }, box: { stroke: '#000000', strokeWidth: 0.6 }, outliers: { size: 8, color: '#000000' } },
        encoding: {
          x,
          xOffset,
          y,
          color: {
            field: 'set',
            type: 'nominal',
            title: null,
            scale: { domain: [...plot.sets], range: [...plot.colours] },
            legend: { orient: 'top', direction: 'horizontal' },
          },
        },
      },
      {
        data: { values: [...plot.data] },
        mark: { type: 'tick', filled: false, stroke: '#000000', strokeDash: [3, 2], strokeWidth: 1.2, thickness: 0.01, size: 12 },
        encoding: { x, xOffset, y: { aggregate: 'mean', field: plot.field, type: 'quantitative' } },
      },
      {
        data: { values: [...plot.lines] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#444444', strokeWidth: 1 },
        encoding: { y: { field: 'value', type: 'quantitative' } },
      },
      {
        data: { values: [...plot.lines] },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 10, color: '#444444' },
        encoding: { y: { field: 'value', type: 'quantitative' }, x: { value: { expr: 'width' } }, text: { field: 'label' } },
      },
    ],
  };
}

/** The specs of every figure the input has data for, in report order. */
export function reportChartSpecs(input: ReportInput): ChartSpec[] {
  const rows = input.perImage ?? [];
  const specs: (ChartSpec | null)[] = [
    input.utility ? utilityChartSpec(input.utility, rows) : null,
    input.randomization ? randomizationChartSpec(input.randomization) : null,
    consistencyChartSpec(input.repeatability, input.reproducibility, rows),
  ];
  return specs.filter((s): s is ChartSpec => s !== null);
}

// Collects vega's and vega-lite's log calls, since the library never prints.
class CollectingLogger {
  readonly messages: string[] = [];
  private current = vega.Warn;
  level(): number;
  level(value: number): this;
  level(value?: number): number | this {
    if (value === undefined) return this.current;
    this.current = value;
    return this;
  }
  error(...args: unknown[]): this {
    this.messages.push(`error: ${args.map(String).join(' ')}`);
    return this;
  }
  warn(...args: unknown[]): this {
    if (this.current >= vega.Warn) this.messages.push(`warning: ${args.map(String).join(' ')}`);
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/**
 * Gives every `id` inside an SVG a prefix, with the `url(#…)` and `href="#…"` references to it, so that
 * several inline SVGs (vega numbers its clip paths from the same counter) cannot clash in one page.
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}

/** Compiles a vega-lite spec and renders it to an SVG string with vega's headless view (no browser). */
export async function renderChart(chart: ChartSpec): Promise<ChartSvg> {
  const logger = new CollectingLogger();
  const compiled = compile(chart.spec, { logger }).spec;
  // vega numbers SVG defs (clip paths) from a global counter: reset it so output does not depend on history.
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return { id: chart.id, title: chart.title, description: chart.description, svg: prefixSvgIds(svg, chart.id), warnings: logger.messages };
  } finally {
    view.finalize();
  }
}

/** Renders every figure of the report (Figures 2, 3 and 4, those the input has data for) to SVG. */
export async function renderReportCharts(input: ReportInput): Promise<ChartSvg[]> {
  const out: ChartSvg[] = [];
  // One at a time: the views are small, and order keeps the output deterministic.
  for (const spec of reportChartSpecs(input)) out.push(await renderChart(spec));
  return out;
}
