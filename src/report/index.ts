/**
 * The report layer's public surface: PNG encoding, the paper's figures as vega-lite charts rendered to
 * SVG, the self-contained HTML report, the Markdown summary, and DICOM Parametric Maps and Segmentations of
 * the maps. Everything returns strings or bytes.
 */
export { encodeRgbaPng, encodeRgbPng, encodeGray16Png, encodeGray8Png, pngDataUrl, encodeJpeg, jpegDataUrl } from './png.js';
export type { PngOptions } from './png.js';
export { methodStyles, methodStyle, methodLabel } from './methods.js';
export type { MethodStyle } from './methods.js';
export { escapeHtml, formatNumber, formatP, formatInterval, decidingNumbers, flattenOptions } from './format.js';
export {
  utilityChartSpec,
  randomizationChartSpec,
  consistencyChartSpec,
  reportChartSpecs,
  renderChart,
  renderReportCharts,
  prefixSvgIds,
  perImageValues,
} from './charts.js';
export type { ChartSpec, ChartSvg } from './charts.js';
export { thumbnailDataUrl, thumbnailSize } from './thumbnails.js';
export type { ThumbnailOptions } from './thumbnails.js';
export { renderReport, buildReport, reportLimitDefaults, reportSections, reportFigureIds } from './html.js';
export { renderMarkdownSummary, escapeMarkdown } from './markdown.js';
export * from './dicom/index.js';
export type * from './types.js';
