import { type Graph, type Model, type Node, Tensor, type Value } from '@bert-neuron/graph-ir';
import { matchGeluUp } from '../detect/gelu-match.js';
import { tagLike } from './node-tags.js';

/** The `rule` metadata of the nodes the aggressive GELU rewrite adds. */
export const AGGRESSIVE_GELU_RULE = 'aggressive-gelu';

/** The reference's aggressive GELU scale: gelu(x) ~ x * sigmoid(1.702 x). */
export const SIGMOID_GELU_SCALE = 1.702;

export interface GeluRewriteResult {
  /** GELUs rewritten, by the form they had (`erf`, `tanh`, `com.microsoft.Gelu`, `ai.onnx.Gelu`, ...). */
  rewritten: Record<string, number>;
  /** GELUs already in the sigmoid form (x * Sigmoid(1.702 x), QuickGelu 1.702), left as they are. */
  alreadySigmoid: number;
}

const CANDIDATES = new Set(['Mul', 'Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu']);

/** The 1.702 scalar in x's float type, one initializer per dtype (1.702 as float16 is 1.7021484). */
function scaleFor(g: Graph, x: Value, made: Map<string, Value>): Value {
  const dtype = x.dtype === 'float16' ? 'float16' : 'float32';
  let v = made.get(dtype);
  if (v === undefined) {
    v = g.addInitializer(
      g.uniqueName('gelu/sigmoid_scale'),
      Tensor.fromNumbers(dtype, [], [SIGMOID_GELU_SCALE]),
    );
    made.set(dtype, v);
  }
  return v;
}

/** Remove the nodes of a replaced pattern once nothing reads them, and the initializers only they read. */
function removeDead(g: Graph, nodes: readonly Node[]): number {
  let removed = 0;
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of nodes) {
      if (n.graph !== g || !n.outputs.every((o) => o === null || o.isUnused)) continue;
      const inputs = n.inputs.filter((v): v is Value => v !== null);
      g.removeNode(n);
      removed++;
      changed = true;
      for (const v of inputs)
        if (v.isInitializer && !v.isGraphInput && v.isUnused && v.graph === g) g.removeInitializer(v);
    }
  }
  return removed;
}

/**
 * Rewrite every GELU, whatever its form (decomposed erf or tanh, com.microsoft Gelu / FastGelu /
 * BiasGelu, ai.onnx Gelu of opset 20), as the reference's aggressive approximation
 *   gelu(x) ~ x * sigmoid(1.702 x)    (max |error| about 0.02, at |x| ~ 2)
 * with the fused bias (BiasGelu, FastGelu) added first: x' = x + bias. The new Mul, Sigmoid, Mul
 * carry the region and layer of the GELU's last node; the old nodes are removed.
 */
export function rewriteGeluAsSigmoid(model: Model): GeluRewriteResult {
  const g = model.graph;
  const result: GeluRewriteResult = { rewritten: {}, alreadySigmoid: 0 };
  const scales = new Map<string, Value>();
  for (const root of [...g.nodes]) {
    if (root.graph !== g || !CANDIDATES.has(root.opType)) continue;
    const y = root.output(0);
    if (y === null) continue;
    let x: Value;
    let bias: Value | null = null;
    let form: string;
    let nodes: readonly Node[];
    if (root.domain === '' && root.opType === 'Gelu') {
      if (root.input(0) === null) continue;
      x = root.input(0)!;
      form = `ai.onnx.Gelu(${root.attrString('approximate', 'none')})`;
      nodes = [root];
    } else {
      const m = matchGeluUp(y);
      if (m === undefined || m.output !== y) continue;
      if (m.form === 'sigmoid') {
        result.alreadySigmoid++;
        continue;
      }
      x = m.input;
      form = m.op === 'decomposed' ? m.form : `com.microsoft.${m.op}`;
      nodes = m.nodes;
      if (m.bias !== null) bias = root.input(1);
    }
    // Elementwise: every new value has y's dtype and shape.
    const scope = `${root.name.includes('/') ? root.name.slice(0, root.name.lastIndexOf('/')) : root.name || 'gelu'}/sigmoid_gelu`;
    const emit = (opType: string, inputs: Value[], name: string): Value => {
      const nodeName = `${scope}/${name}`;
      const node = g.addNode({
        opType,
        name: nodeName,
        inputs,
        outputs: [g.uniqueName(`${nodeName}:0`)],
        before: root,
      });
      const v = tagLike(node, root, AGGRESSIVE_GELU_RULE).out;
      v.dtype = y.dtype ?? x.dtype;
      v.shape = y.shape ? [...y.shape] : x.shape ? [...x.shape] : undefined;
      return v;
    };
    if (bias !== null) x = emit('Add', [x, bias], 'BiasAdd');
    const gate = emit('Sigmoid', [emit('Mul', [x, scaleFor(g, x, scales)], 'Mul_scale')], 'Sigmoid');
    g.replaceAllUsesWith(y, emit('Mul', [x, gate], 'Mul'));
    removeDead(g, nodes);
    result.rewritten[form] = (result.rewritten[form] ?? 0) + 1;
  }
  return result;
}
