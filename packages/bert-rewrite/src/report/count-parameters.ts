import type { DataType, Graph, Model, Tensor } from '@bert-neuron/graph-ir';

/** Elements, bytes and tensors of a set of constants. */
export interface ParameterTally {
  count: number;
  bytes: number;
  tensors: number;
}

export interface ParameterCounts {
  total: ParameterTally;
  byDtype: Partial<Record<DataType, ParameterTally>>;
}

function add(into: ParameterTally, t: Tensor): void {
  into.count += t.size;
  into.bytes += t.byteLength;
  into.tensors += 1;
}

/**
 * The model's constants by dtype: initializers (dense, and the stored values of sparse ones) and
 * the tensors of Constant nodes, in the main graph and its subgraphs. A tensor shared by two
 * initializers counts twice (they are two entries in the file).
 */
export function countParameters(model: Model): ParameterCounts {
  const total: ParameterTally = { count: 0, bytes: 0, tensors: 0 };
  const byDtype: Partial<Record<DataType, ParameterTally>> = {};
  const tally = (t: Tensor) => {
    add(total, t);
    add((byDtype[t.dtype] ??= { count: 0, bytes: 0, tensors: 0 }), t);
  };
  const walk = (g: Graph) => {
    for (const v of g.initializers) {
      const t = v.initializer ?? v.sparseInitializer?.values;
      if (t !== undefined) tally(t);
    }
    for (const n of g.nodes) {
      if (n.opType === 'Constant' && n.domain === '') {
        const t = n.output(0)?.constant;
        if (t !== undefined) tally(t);
      }
      for (const sub of n.subgraphs()) walk(sub);
    }
  };
  walk(model.graph);
  return { total, byDtype };
}
