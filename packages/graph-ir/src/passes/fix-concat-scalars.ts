import { attr } from '../attribute.js';
import type { Graph } from '../graph.js';
import type { Model } from '../model.js';
import { Tensor } from '../tensor.js';
import type { Value } from '../value.js';
import type { Pass } from './pass.js';

/** The rank of a value when known (constants first, then the declared or inferred shape). */
function rankOf(v: Value): number | undefined {
  return v.constant?.rank ?? v.shape?.length;
}

function dropIfUnused(graph: Graph, v: Value): void {
  if (!v.isUnused || v.graph !== graph) return;
  const p = v.producer;
  if (p !== null && p.opType === 'Constant' && p.domain === '') graph.removeNode(p);
  else if (p === null && v.initializer !== undefined && !v.isGraphInput) graph.removeInitializer(v);
}

/**
 * Make every rank-0 input of a Concat a [1] tensor: constants get a reshaped initializer, other
 * values an Unsqueeze. torch.onnx 1.x fed scalars into the Concat that builds Reshape targets,
 * which old ONNX Runtime accepted and current versions refuse ("All inputs to Concat must have
 * same rank"); a rank-0 Concat input is invalid ONNX, so the 1-element reading is the only one.
 * Concats that also read inputs of rank 2 or more are left alone. Returns the inputs changed.
 */
export function fixConcatScalars(model: Model): number {
  const graph = model.graph;
  const opset = model.opset('') ?? 21;
  const asVector = new Map<Value, Value>();
  let changed = 0;
  for (const node of [...graph.nodes]) {
    if (node.opType !== 'Concat' || node.domain !== '') continue;
    const ranks = node.inputs.map((v) => (v === null ? undefined : rankOf(v)));
    if (!ranks.includes(0) || ranks.some((r) => r !== undefined && r > 1)) continue;
    node.inputs.forEach((v, i) => {
      if (v === null || ranks[i] !== 0) return;
      let vec = asVector.get(v);
      if (vec === undefined) {
        const c = v.constant;
        if (c !== undefined) vec = graph.addInitializer(graph.uniqueName(`${v.name}__1d`), c.reshape([1]));
        else {
          const inputs: Value[] = [v];
          const attributes: Record<string, ReturnType<typeof attr.ints>> = {};
          if (opset >= 13)
            inputs.push(graph.addInitializer(graph.uniqueName(`${v.name}__axes`), Tensor.int64([1], [0])));
          else attributes.axes = attr.ints([0]);
          const unsqueeze = graph.addNode({
            opType: 'Unsqueeze',
            name: graph.uniqueName(`${v.name}__1d`),
            inputs,
            outputs: [{ name: graph.uniqueName(`${v.name}__1d`), dtype: v.dtype, shape: [1] }],
            attributes,
            before: node,
          });
          vec = unsqueeze.out;
        }
        asVector.set(v, vec);
      }
      node.setInput(i, vec);
      changed++;
      dropIfUnused(graph, v);
    });
  }
  return changed;
}

/** The pass form of fixConcatScalars. */
export const fixConcatScalarsPass: Pass = {
  name: 'fix-concat-scalars',
  run(model) {
    const n = fixConcatScalars(model);
    return { modified: n > 0, stats: { inputs: n } };
  },
};
