import type { Node, Value } from '@bert-neuron/graph-ir';
import { resolveConstant, scalarOf } from './constant-value.js';
import { NodeCollector } from './node-collector.js';
import { dataConsumers } from './pass-through.js';

/** The first token's hidden state selected from the sequence output: hidden[:, 0]. */
export interface FirstTokenMatch {
  readonly output: Value;
  readonly nodes: readonly Node[];
}

function ints(v: Value | null): number[] | undefined {
  const c = resolveConstant(v);
  return c ? c.tensor.toNumbers() : undefined;
}

function axesOf(n: Node): number[] | undefined {
  const a = n.attributes.get('axes');
  if (a?.type === 'ints') return a.value.map(Number);
  return n.input(1) ? ints(n.input(1)) : undefined;
}

/**
 * The ways exporters take hidden[:, 0]: `Gather(h, 0, axis=1)` (torch), or
 * `Squeeze(Slice(h, [0], [1], [1]), [1])` (tf's `h[:, 0:1]` then squeeze), looking through
 * Reshape/Dropout/Cast from the encoder output (tf-google reshapes its [batch*seq, H] rows back).
 */
export function matchFirstToken(sequence: Value): FirstTokenMatch[] {
  const out: FirstTokenMatch[] = [];
  for (const u of dataConsumers(sequence, { reshape: true })) {
    const n = u.node;
    if (n.domain !== '' || u.index !== 0) continue;
    const c = new NodeCollector().addAll(u.via).add(n);
    if (n.opType === 'Gather' && n.attrInt('axis', 0) === 1 && scalarOf(n.input(1)) === 0) {
      const idx = resolveConstant(n.input(1));
      if (idx && idx.tensor.rank === 0) {
        c.addConstant(n.input(1));
        out.push({ output: n.outputs[0]!, nodes: c.nodes });
      }
      continue;
    }
    if (n.opType === 'Slice') {
      const starts = ints(n.input(1));
      const ends = ints(n.input(2));
      const axes = n.input(3) ? ints(n.input(3)) : [0];
      const steps = n.input(4) ? ints(n.input(4)) : [1];
      if (!starts || !ends || !axes || !steps) continue;
      const i = axes.indexOf(1);
      if (i < 0 || starts[i] !== 0 || ends[i] !== 1 || (steps[i] ?? 1) !== 1) continue;
      if (axes.some((_, j) => j !== i && !(starts[j] === 0 && ends[j]! >= 2 ** 31 - 1))) continue;
      for (const k of [1, 2, 3, 4]) c.addConstant(n.input(k));
      for (const w of dataConsumers(n.outputs[0]!)) {
        const sq = w.node;
        if (sq.domain !== '' || w.index !== 0) continue;
        if (sq.opType === 'Squeeze' && axesOf(sq)?.length === 1 && axesOf(sq)![0] === 1) {
          const cc = new NodeCollector().addAll(c.nodes).addAll(w.via).add(sq).addConstant(sq.input(1));
          out.push({ output: sq.outputs[0]!, nodes: cc.nodes });
        } else if (sq.opType === 'Reshape') {
          const cc = new NodeCollector().addAll(c.nodes).addAll(w.via).add(sq).addConstant(sq.input(1));
          out.push({ output: sq.outputs[0]!, nodes: cc.nodes });
        }
      }
    }
  }
  return out;
}
