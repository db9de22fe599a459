/**
 * Randomization blocks of ONNX models heatcheck did not build. A family is recognised by the names of
 * its block boundaries (torchvision exports name nodes by module path, `/Mixed_7c/Concat`; tf2onnx keeps
 * Keras layer names, `mixed10/concat`); a block then owns the parameters of every node that feeds its
 * boundary but not the previous boundary, as spec section 7 defines an InceptionV3 block. The head
 * (`logits`) owns the parameters after the last boundary.
 */
import type { Model, Node } from '../graph/ir.js';
import type { RandomizationBlock } from './architecture.js';
import { parameterRecordsOf } from './imported.js';
import { modelErrors } from './messages.js';

/** A recognised family and its blocks, top-down. */
export interface DetectedBlocks {
  readonly family: string;
  readonly blocks: readonly RandomizationBlock[];
  /** The last block's output: the Grad-CAM layer of the paper's convention. */
  readonly camLayer: string | undefined;
}

/** Metadata key where heatcheck stores the blocks (name and output tensor, top-down) of models it builds. */
export const BLOCKS_METADATA_KEY = 'heatcheck.blocks';

interface Boundary {
  readonly block: string;
  readonly match: (node: Node) => boolean;
  /** Part of the paper's cascade (InceptionV3's mixed0 is a boundary but never randomized). */
  readonly randomized?: boolean;
}

const segment = (text: string, word: string) => new RegExp(`(^|[/.])${word}($|[/.:])`).test(text);
const named = (node: Node, word: string) => segment(node.name, word) || node.outputs.some((o) => segment(o, word));
const inScope = (node: Node, scope: string) => node.name.includes(`/${scope}/`) || node.name.startsWith(`${scope}/`) || node.name.includes(`${scope}.`);

const TORCHVISION_INCEPTION = ['Mixed_5b', 'Mixed_5c', 'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e', 'Mixed_7a', 'Mixed_7b', 'Mixed_7c'];

const families: readonly { family: string; boundaries: readonly Boundary[] }[] = [
  {
    family: 'keras-inceptionv3',
    boundaries: Array.from({ length: 11 }, (_, k) => ({ block: `mixed${k}`, randomized: k > 0, match: (n: Node) => n.opType === 'Concat' && named(n, `mixed${k}`) })),
  },
  {
    family: 'torchvision-inceptionv3',
    boundaries: TORCHVISION_INCEPTION.map((scope, k) => ({ block: `mixed${k}`, randomized: k > 0, match: (n: Node) => inScope(n, scope) })),
  },
  {
    family: 'torchvision-densenet',
    boundaries: [1, 2, 3, 4].flatMap((k) => [
      { block: `denseblock${k}`, match: (n: Node) => inScope(n, `denseblock${k}`) || (k === 4 && inScope(n, 'norm5')) || (k === 4 && named(n, 'norm5')) },
      ...(k < 4 ? [{ block: `transition${k}`, match: (n: Node) => inScope(n, `transition${k}`) }] : []),
    ]),
  },
  {
    family: 'keras-densenet',
    boundaries: [2, 3, 4, 5].flatMap((k) => [
      { block: `denseblock${k - 1}`, match: (n: Node) => n.name.includes(`conv${k}_block`) || (k === 5 && (named(n, 'bn') || named(n, 'relu'))) },
      ...(k < 5 ? [{ block: `transition${k - 1}`, match: (n: Node) => n.name.includes(`pool${k}_`) }] : []),
    ]),
  },
  {
    family: 'torchvision-resnet',
    boundaries: [1, 2, 3, 4].map((k) => ({ block: `layer${k}`, match: (n: Node) => inScope(n, `layer${k}`) })),
  },
];

/** Blocks of a model heatcheck built (from its metadata), or of a recognised export; `ModelError` saying how to supply them otherwise. */
export function detectBlocks(model: Model, source = 'model'): DetectedBlocks {
  const stored = model.metadata.find((m) => m.key === BLOCKS_METADATA_KEY);
  if (stored) {
    const list = JSON.parse(stored.value) as { name: string; output: string; randomized?: boolean }[];
    const bottomUp = [...list].reverse().filter((b) => b.name !== 'logits');
    const boundaries = bottomUp.map((b) => ({ block: b.name, randomized: b.randomized !== false, match: (n: Node) => n.outputs.includes(b.output) }));
    const found = boundaries.length ? fromBoundaries(model, boundaries) : undefined;
    if (found) return { family: 'heatcheck', blocks: found.blocks, camLayer: list.find((b) => b.name !== 'logits' && b.randomized !== false)?.output };
  }
  for (const { family, boundaries } of families) {
    const found = fromBoundaries(model, boundaries);
    if (found) return { family, blocks: found.blocks, camLayer: found.camLayer };
  }
  throw modelErrors.blocksNotDetected(source);
}

/** Blocks from boundaries listed bottom-up, or undefined when any boundary is missing. */
function fromBoundaries(model: Model, boundaries: readonly Boundary[]): { blocks: RandomizationBlock[]; camLayer: string } | undefined {
  if (boundaries.length === 0) return undefined;
  const nodes = model.graph.nodes;
  const ends: number[] = [];
  for (const b of boundaries) {
    let last = -1;
    nodes.forEach((n, i) => {
      if (b.match(n)) last = i;
    });
    if (last < 0 || (ends.length && last <= ends[ends.length - 1]!)) return undefined;
    ends.push(last);
  }
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const ancestors = (index: number): Set<number> => {
    const seen = new Set<number>([index]);
    const stack = [index];
    while (stack.length) {
      const i = stack.pop()!;
      for (const input of nodes[i]!.inputs) {
        const p = producer.get(input);
        if (p !== undefined && !seen.has(p)) {
          seen.add(p);
          stack.push(p);
        }
      }
    }
    return seen;
  };
  const params = new Set(parameterRecordsOf(model).map((p) => p.name));
  const paramsOf = (members: Iterable<number>): string[] => {
    const out: string[] = [];
    for (const i of [...members].sort((a, b) => a - b)) for (const input of nodes[i]!.inputs) if (params.has(input) && !out.includes(input)) out.push(input);
    return out;
  };
  const blocks: RandomizationBlock[] = [];
  let below = new Set<number>();
  boundaries.forEach((b, k) => {
    const mine = ancestors(ends[k]!);
    const members = [...mine].filter((i) => !below.has(i));
    if (b.randomized !== false) blocks.unshift({ name: b.block, output: nodes[ends[k]!]!.outputs[0]!, initializers: paramsOf(members) });
    below = mine;
  });
  const head = nodes.map((_, i) => i).filter((i) => !below.has(i));
  blocks.unshift({ name: 'logits', initializers: paramsOf(head) });
  return { blocks, camLayer: nodes[ends[ends.length - 1]!]!.outputs[0]! };
}
