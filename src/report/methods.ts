/**
 * How each saliency method and baseline is named and coloured in charts and tables: the paper's short
 * labels and Figure 3 colours (Arun et al. 2021, https://doi.org/10.1148/ryai.2021200267), darkened
 * where the paper's pure hue is hard to read on white paper (cyan, olive), plus a point shape each so
 * the lines stay apart when printed in grey.
 */

/** Label, colour and point shape of one method in charts. */
export interface MethodStyle {
  readonly label: string;
  readonly color: string;
  readonly shape: string;
}

/** The styles of the eight methods of the paper and the localization baselines, by heatcheck id. */
export const methodStyles: Readonly<Record<string, MethodStyle>> = Object.freeze({
  gradient: { label: 'GRAD', color: '#d62728', shape: 'circle' },
  smoothgrad: { label: 'SG', color: '#1f4fb4', shape: 'square' },
  'integrated-gradients': { label: 'IG', color: '#8a8a00', shape: 'triangle-up' },
  'smooth-ig': { label: 'SIG', color: '#2ca02c', shape: 'diamond' },
  'grad-cam': { label: 'GCAM', color: '#0a8fa3', shape: 'triangle-down' },
  xrai: { label: 'XRAI', color: '#c000c0', shape: 'cross' },
  'guided-backprop': { label: 'GBP', color: '#000000', shape: 'triangle-right' },
  'guided-grad-cam': { label: 'GGCAM', color: '#7f7f7f', shape: 'triangle-left' },
  'average-mask': { label: 'AVG', color: '#8c564b', shape: 'stroke' },
  unet: { label: 'U-Net', color: '#444444', shape: 'stroke' },
  retinanet: { label: 'RetinaNet', color: '#444444', shape: 'stroke' },
});

// Methods outside the table get these in order of first appearance (Okabe-Ito, colour-blind safe).
const fallbackColors = ['#e69f00', '#56b4e9', '#009e73', '#0072b2', '#d55e00', '#cc79a7', '#f0e442'];
const fallbackShapes = ['circle', 'square', 'diamond', 'cross', 'triangle-up', 'triangle-down'];

/** The style of a method id: the table's, or a stable fallback chosen by its position among `others`. */
export function methodStyle(method: string, others: readonly string[] = []): MethodStyle {
  const known = methodStyles[method];
  if (known) return known;
  const unknown = others.filter((m) => !methodStyles[m]);
  const k = Math.max(0, unknown.indexOf(method));
  return { label: method, color: fallbackColors[k % fallbackColors.length]!, shape: fallbackShapes[k % fallbackShapes.length]! };
}

/** The chart label of a method id. */
export function methodLabel(method: string): string {
  return methodStyles[method]?.label ?? method;
}
