/**
 * The structural skeleton of a report for the golden test: the element tree as a browser parses it
 * (parse5, the WHATWG parser), one element per line with its tag, id, classes and role, whether it has an
 * aria-label/aria-labelledby/alt, and headings with their text (numbers in it become `#`). Every other
 * attribute value (SVG path data, base64 image payloads, styles, labels carrying data) is left out, so the
 * skeleton changes when the structure does, not the data.
 * Runs of identical sibling subtrees (table rows, chart marks) print once with a count.
 */
import { parse, type DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const isElement = (n: Node): n is Element => 'tagName' in n;
const numbersOut = (s: string): string => s.replace(/\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi, '#');

function textOf(n: Node): string {
  if (n.nodeName === '#text') return (n as DefaultTreeAdapterMap['textNode']).value;
  return 'childNodes' in n ? n.childNodes.map(textOf).join('') : '';
}

function describe(el: Element): string {
  const attr = (name: string): string | undefined => el.attrs.find((a) => a.name === name)?.value;
  let line = el.tagName;
  // Ids and classes are kept as they are: they are structure (figure-2 vs figure-3), and deterministic.
  const id = attr('id');
  if (id) line += `#${id}`;
  for (const c of (attr('class') ?? '').split(/\s+/).filter(Boolean)) line += `.${c}`;
  const role = attr('role');
  if (role) line += `[role=${role}]`;
  // Accessibility: that a label or alt text is there (not its wording, which carries data).
  for (const name of ['aria-label', 'aria-labelledby', 'alt']) if (attr(name)) line += `[${name}]`;
  if (/^h[1-6]$/.test(el.tagName)) line += ` "${numbersOut(textOf(el).replace(/\s+/g, ' ').trim())}"`;
  return line;
}

/** Lines of one subtree, indented by depth. */
function render(el: Element, depth: number): string[] {
  const children: string[][] = [];
  // <template> keeps its children in `content`; the report has none, and <style>/<title> hold only text.
  for (const child of el.childNodes) if (isElement(child)) children.push(render(child, depth + 1));
  const out = [`${'  '.repeat(depth)}${describe(el)}`];
  for (let i = 0; i < children.length; ) {
    let j = i + 1;
    const same = children[i]!.join('\n');
    while (j < children.length && children[j]!.join('\n') === same) j++;
    const [first, ...rest] = children[i]!;
    out.push(j - i > 1 ? `${first} ×${j - i}` : first!, ...rest);
    i = j;
  }
  return out;
}

/** The skeleton of an HTML document (see the module comment). */
export function htmlSkeleton(html: string): string {
  const doc = parse(html);
  const lines: string[] = [];
  for (const n of doc.childNodes) {
    if (n.nodeName === '#documentType') lines.push(`!doctype ${(n as DefaultTreeAdapterMap['documentType']).name}`);
    else if (isElement(n)) lines.push(...render(n, 0));
  }
  return `${lines.join('\n')}\n`;
}
