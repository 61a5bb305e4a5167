// Rule: one shared additive attention-mask bias instead of each layer's mask computation.
//
//   Softmax(Add(scores, term_l(mask)))  ->  Softmax(Add(scores, bias))   for every layer l
//   bias = Unsqueeze((1 - Cast(mask, T)) * -10000, axes [1, 2])          [B, 1, 1, S], built once
//
// The exporters compute the term differently: transformers `(1 - m) * finfo.min` once for all
// layers, google-research `(1 - m) * -10000` on a [B, S, S] mask rebuilt in every layer, keras2onnx
// and torch 1.4 with Slice/Unsqueeze/Cast variants. Whatever the form, the check runs the term on a
// probe mask (mask-probe.ts): it must depend on the mask input and constants only, be 0 where
// mask = 1 and at most -10000 where mask = 0, per batch row and key. Then, for every real query
// row, softmax(s + term) = softmax(s + bias): the masked keys' exp(term - max) and exp(-10000 -
// max) both underflow to 0 in float32 and float16, and the attended keys get the same + 0. A
// row whose keys are all masked stays finite (softmax(s - 10000) = softmax(s)) where a -inf mask
// gives NaN; such rows are padding of an empty input, whose outputs nobody reads.
import {
  any,
  attr,
  type DataType,
  type Graph,
  type Model,
  type Node,
  type NodeSpec,
  onnxDataTypeCode,
  op,
  type Rule,
  Tensor,
  type Value,
} from '@bert-neuron/graph-ir';
import { META } from '../regions.js';
import { probeMaskTerm } from './mask-probe.js';
import { uniqueNodeName } from './node-name.js';
import { removeDeadNodes } from './remove-dead.js';

export const SHARED_MASK_BIAS = 'shared-mask-bias';

/** Metadata on the bias's last node: the mask input it reads. */
export const MASK_BIAS_INPUT_KEY = 'mask-bias.input';

/** The additive value masked keys get. */
export const MASK_BIAS_VALUE = -10000;

/** The scores: MatMul(q, k^T) of two computed operands, maybe scaled by a constant or cast. */
function isScores(v: Value): boolean {
  let cur: Value | null = v;
  for (let depth = 0; cur !== null && depth < 4; depth++) {
    const p: Node | null = cur.producer;
    if (p === null || p.domain !== '') return false;
    if (p.opType === 'MatMul')
      return p.inputs.every((i) => i !== null && i.constant === undefined && !i.isInitializer);
    if (p.opType === 'Cast') cur = p.input(0);
    else if (p.opType === 'Div' || p.opType === 'Mul') {
      const a: Value | null = p.input(0);
      const b: Value | null = p.input(1);
      cur = b?.constant !== undefined ? a : p.opType === 'Mul' && a?.constant !== undefined ? b : null;
    } else return false;
  }
  return false;
}

const isSharedBias = (v: Value): boolean => v.producer?.metadata.get(META.rule) === SHARED_MASK_BIAS;

/** The bias already built for this mask input, element type and rank, if any. */
function existingBias(graph: Graph, mask: Value, dtype: DataType, rank: number): Value | undefined {
  for (const n of graph.nodes) {
    const out = n.outputs[0];
    if (
      n.metadata.get(MASK_BIAS_INPUT_KEY) === mask.name &&
      out?.dtype === dtype &&
      out.shape?.length === rank
    )
      return out;
  }
  return undefined;
}

/** Build `Unsqueeze((1 - Cast(mask)) * -10000)` at the top of the graph. */
function buildBias(model: Model, graph: Graph, mask: Value, dtype: DataType, rank: number): Value {
  const first = graph.nodes[0];
  const place = (spec: NodeSpec): Value =>
    graph.addNode({
      ...spec,
      name: uniqueNodeName(graph, spec.name ?? ''),
      metadata: { [META.rule]: SHARED_MASK_BIAS, ...spec.metadata },
      ...(first ? { before: first } : {}),
    }).out;
  const [b = null, s = null] = mask.shape!;
  const flat = [b, s];
  const m =
    mask.dtype === dtype
      ? mask
      : place({
          opType: 'Cast',
          name: 'mask_bias/Cast',
          inputs: [mask],
          attributes: { to: attr.int(onnxDataTypeCode(dtype)) },
          outputs: [{ name: graph.uniqueName('attention_mask_float'), dtype, shape: flat }],
        });
  const one = graph.addInitializer(graph.uniqueName('mask_bias/one'), Tensor.fromNumbers(dtype, [], [1]));
  const scale = graph.addInitializer(
    graph.uniqueName('mask_bias/scale'),
    Tensor.fromNumbers(dtype, [], [MASK_BIAS_VALUE]),
  );
  const inverted = place({
    opType: 'Sub',
    name: 'mask_bias/Sub',
    inputs: [one, m],
    outputs: [{ name: graph.uniqueName('attention_mask_inverted'), dtype, shape: flat }],
  });
  const axes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  const marker = { [MASK_BIAS_INPUT_KEY]: mask.name };
  const name = (base: string) => graph.uniqueName(base);
  const scaled = place({
    opType: 'Mul',
    name: 'mask_bias/Mul',
    inputs: [inverted, scale],
    outputs: [
      { name: name(axes.length ? 'attention_mask_scaled' : 'attention_mask_bias'), dtype, shape: flat },
    ],
    ...(axes.length ? {} : { metadata: marker }),
  });
  if (axes.length === 0) return scaled;
  const newAxes = (model.opset('') ?? 13) >= 13;
  return place({
    opType: 'Unsqueeze',
    name: 'mask_bias/Unsqueeze',
    inputs: newAxes
      ? [scaled, graph.addInitializer(name('mask_bias/axes'), Tensor.int64([axes.length], axes))]
      : [scaled],
    attributes: newAxes ? {} : { axes: attr.ints(axes) },
    outputs: [{ name: name('attention_mask_bias'), dtype, shape: [b, ...axes.map(() => 1), s] }],
    metadata: marker,
  });
}

export const sharedMaskBiasRule: Rule = {
  name: SHARED_MASK_BIAS,
  pattern: op(
    'Softmax',
    [op('Add', [any('scores', isScores), any('term', (v) => !isSharedBias(v))], 'add')],
    'softmax',
  ),
  check(match, ctx) {
    const add = match.node('add');
    if (add.out.uses.length !== 1 || add.out.isGraphOutput)
      return 'the masked scores are read by more than the Softmax';
    const probe = probeMaskTerm(
      match.value('term'),
      ctx.graph,
      ctx.model.opset('') ?? 13,
      match.value('scores').shape?.length,
    );
    return probe.ok ? undefined : probe.reason;
  },
  rewrite(match, ctx) {
    const term = match.value('term');
    const probe = probeMaskTerm(
      term,
      ctx.graph,
      ctx.model.opset('') ?? 13,
      match.value('scores').shape?.length,
    );
    if (!probe.ok) throw new Error(probe.reason);
    const bias =
      existingBias(ctx.graph, probe.mask, probe.dtype, probe.rank) ??
      buildBias(ctx.model, ctx.graph, probe.mask, probe.dtype, probe.rank);
    const add = match.node('add');
    add.inputs.forEach((v, i) => {
      if (v === term) add.setInput(i, bias);
    });
    // The old computation goes once no other layer reads it.
    removeDeadNodes(ctx.graph, probe.nodes);
  },
};
