import { describe, it } from 'vitest';
import { GraphBuilder } from '../../../../src/graph/builder.js';
import type { Dim } from '../../../../src/graph/ir.js';
import { checkRule, randomFeed } from './rule-harness.js';

type Op = 'add' | 'sub' | 'mul' | 'div';

/** [declared shape of a, of b, runtime dims of a, of b]. */
const broadcastCases: [string, Dim[], Dim[], number[], number[]][] = [
  ['same shape', ['batch', 3, 4], ['batch', 3, 4], [2, 3, 4], [2, 3, 4]],
  ['channel bias [C,1,1]', ['batch', 3, 2, 2], [3, 1, 1], [2, 3, 2, 2], [3, 1, 1]],
  ['scalar', ['batch', 3], [], [2, 3], []],
  ['row [1,C] vs [N,C]', ['batch', 4], [1, 4], [3, 4], [1, 4]],
  ['both sides broadcast [N,1,W] x [H,1]', ['batch', 1, 4], [3, 1], [2, 1, 4], [3, 1]],
  ['per-sample scale [N,1,1,1]', ['batch', 2, 3, 3], ['batch', 1, 1, 1], [2, 2, 3, 3], [2, 1, 1, 1]],
];

function build(op: Op, sa: Dim[], sb: Dim[]) {
  const b = new GraphBuilder();
  const a = b.input('a', sa);
  const c = b.input('b', sb);
  b.output(b[op](a, c));
  return { model: b.build(), a, c };
}

describe('Add/Sub/Mul/Div gradients with broadcasting vs finite differences', () => {
  for (const op of ['add', 'sub', 'mul', 'div'] as const) {
    for (const [label, sa, sb, da, db] of broadcastCases) {
      for (const shapes of ['tracked', 'none'] as const) {
        it(`${op}: ${label} (${shapes === 'none' ? 'runtime' : 'static'} shapes)`, async () => {
          const { model, a, c } = build(op, sa, sb);
          // Divisors stay away from zero.
          const fb = op === 'div' ? randomFeed(db, 12, 0.5, 2) : randomFeed(db, 12);
          await checkRule({ model, feeds: { [a]: randomFeed(da, 11), [c]: fb }, wrt: [a, c], shapes, eps: 1e-3 });
        });
      }
    }
  }

  it('reversed operand order: [3,1] - [batch,1,4]', async () => {
    const { model, a, c } = build('sub', [3, 1], ['batch', 1, 4]);
    await checkRule({ model, feeds: { [a]: randomFeed([3, 1], 13), [c]: randomFeed([2, 1, 4], 14) }, wrt: [a, c] });
  });

  it('gradient for one operand only (the other is a constant)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', ['batch', 3]);
    const w = b.constFloat([0.5, -1, 2], [3]);
    b.output(b.mul(x, w));
    await checkRule({ model: b.build(), feeds: { [x]: randomFeed([2, 3], 15) }, wrt: [x] });
  });
});

describe('MatMul gradients vs finite differences', () => {
  const cases: [string, Dim[], Dim[], number[], number[]][] = [
    ['2-D x 2-D', ['batch', 3], [3, 4], [2, 3], [3, 4]],
    ['batched x 2-D weight', ['batch', 2, 3], [3, 4], [2, 2, 3], [3, 4]],
    ['batched x batched', ['batch', 2, 3], ['batch', 3, 2], [2, 2, 3], [2, 3, 2]],
    ['broadcast batch [N,1,M,K] x [H,K,P]', ['batch', 1, 2, 3], [2, 3, 2], [2, 1, 2, 3], [2, 3, 2]],
    ['1-D x 2-D', [3], [3, 4], [3], [3, 4]],
    ['batched x 1-D', ['batch', 2, 3], [3], [2, 2, 3], [3]],
    ['1-D x 1-D', [4], [4], [4], [4]],
    ['1-D x batched', [3], ['batch', 3, 2], [3], [2, 3, 2]],
  ];
  for (const [label, sa, sb, da, db] of cases) {
    it(label, async () => {
      const b = new GraphBuilder();
      const a = b.input('a', sa);
      const c = b.input('b', sb);
      b.output(b.matMul(a, c));
      await checkRule({ model: b.build(), feeds: { [a]: randomFeed(da, 21), [c]: randomFeed(db, 22) }, wrt: [a, c], eps: 1e-3 });
    });
  }
});
