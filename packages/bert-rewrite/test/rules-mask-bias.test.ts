// shared-mask-bias on small attention graphs: the transformers form (one finfo.min term for all
// layers), the google-research form ([B, S, S] mask rebuilt per layer), and the refusals.
import {
  attr,
  deadCodeEliminationPass,
  runPasses,
  Tensor,
  type Value,
  writeModel,
} from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { MASK_BIAS_INPUT_KEY, SHARED_MASK_BIAS, sharedMaskBiasRule } from '../src/rules/shared-mask-bias.js';
import {
  applyAndVerify,
  attention,
  floats,
  maxAbsDiff,
  type Output,
  paddingMask,
  run,
  TestGraph,
  tokenIds,
} from './rules-support.js';

const FINFO_MIN = -3.4028234663852886e38;
const B = 3;
const S = 6;
const H = 8;
/** Row 0 full, row 1 half, row 2 fully padded. */
const LENGTHS = [6, 3, 0];

/** Elements of [B, S, H] at real tokens (query position below the row's length). */
const realTokens = (i: number) => {
  const b = Math.floor(i / (S * H));
  const s = Math.floor(i / H) % S;
  return s < LENGTHS[b]!;
};

function allFinite(o: Output): boolean {
  return o.data.every((v) => Number.isFinite(v));
}

/** The value the Softmax of each attention adds to its scores. */
function maskOperands(g: TestGraph): Value[] {
  return g.graph.nodes
    .filter((n) => n.opType === 'Softmax')
    .map((s) => {
      const add = s.input(0)!.producer!;
      return add.inputs.find((v) => v !== null && v.producer?.opType !== 'Div')!;
    });
}

/** transformers: ext = (1 - Cast(mask[:, None, None, :])) * finfo.min, read by every layer. */
function hfTorchModel(layers: number, maskedValue = FINFO_MIN): TestGraph {
  const g = new TestGraph(14);
  const x = g.input('hidden', 'float32', ['batch', 'sequence', H]);
  const m = g.input('attention_mask', 'int64', ['batch', 'sequence']);
  const cast = g.op('Cast', [g.unsqueeze(g.unsqueeze(m, [1]), [2])], { to: attr.int(1) });
  const term = g.op('Mul', [g.op('Sub', [g.scalar(1), cast]), g.scalar(maskedValue)]);
  let h = x;
  for (let l = 0; l < layers; l++) h = attention(g, h, { hidden: H, heads: 2, term, seed: 10 * l });
  g.output(h, 'y');
  return g;
}

/** google-research: mask [B, S, S] = ones[B, S, 1] * Cast(Reshape(m, [B, 1, S])), then per layer (1 - mask[:, None]) * -10000. */
function tfGoogleModel(layers: number): TestGraph {
  const g = new TestGraph(13);
  const x = g.input('hidden', 'float32', ['batch', S, H]);
  const ids = g.input('input_ids', 'int32', ['batch', S]);
  const m = g.input('input_mask', 'int32', ['batch', S]);
  const batch = g.unsqueeze(
    g.op('Gather', [g.op('Shape', [ids]), g.init('zero', Tensor.int64([], [0]))], { axis: attr.int(0) }),
    [0],
  );
  const toShape = g.op('Concat', [batch, g.ints([1]), g.ints([S])], { axis: attr.int(0) });
  const toMask = g.op('Cast', [g.op('Reshape', [m, toShape])], { to: attr.int(1) });
  const onesShape = g.op('Concat', [batch, g.ints([S]), g.ints([1])], { axis: attr.int(0) });
  const ones = g.op('ConstantOfShape', [onesShape], { value: attr.tensor(Tensor.float32([1], [1])) });
  const mask3 = g.op('Mul', [ones, toMask]);
  let h = x;
  for (let l = 0; l < layers; l++) {
    const adder = g.op('Mul', [g.op('Sub', [g.scalar(1), g.unsqueeze(mask3, [1])]), g.scalar(-10000)]);
    h = attention(g, h, { hidden: H, heads: 2, term: adder, seed: 10 * l });
  }
  g.output(h, 'y');
  return g;
}

describe('shared-mask-bias', () => {
  it('rebuilds the transformers finfo.min mask once as (1 - mask) * -10000 [B, 1, 1, S]', async () => {
    const g = hfTorchModel(2);
    const feeds = { hidden: floats([B, S, H], 1), attention_mask: paddingMask(LENGTHS, S) };
    const before = await run(g.model, feeds);
    const r = applyAndVerify(g.model, [sharedMaskBiasRule]);
    expect(r.fired[SHARED_MASK_BIAS]).toBe(2);
    const [a, b] = maskOperands(g);
    expect(a).toBe(b);
    expect(a!.shape).toEqual(['batch', 1, 1, 'sequence']);
    expect(a!.producer!.metadata.get(MASK_BIAS_INPUT_KEY)).toBe('attention_mask');
    expect(g.graph.value('attention_mask').uses.length).toBe(1);
    const scale = g.graph.nodes.find(
      (n) => n.opType === 'Mul' && n.metadata.get('rule') === SHARED_MASK_BIAS,
    )!;
    expect(scale.input(1)!.constant!.getNumber(0)).toBe(-10000);
    const after = await run(g.model, feeds);
    expect(maxAbsDiff(after.y!, before.y!, realTokens)).toBeLessThanOrEqual(1e-5);
    expect(allFinite(after.y!)).toBe(true);
  });

  it('replaces the per-layer [B, S, S] masks of google-research BERT by one shared bias', async () => {
    const g = tfGoogleModel(3);
    const feeds = {
      hidden: floats([B, S, H], 2),
      input_ids: tokenIds(LENGTHS, S, 50, 3, 'int32'),
      input_mask: paddingMask(LENGTHS, S, 'int32'),
    };
    const before = await run(g.model, feeds);
    const mulsBefore = g.count('Mul');
    const r = applyAndVerify(g.model, [sharedMaskBiasRule]);
    runPasses(g.model, [deadCodeEliminationPass()], { verify: true });
    expect(r.fired[SHARED_MASK_BIAS]).toBe(3);
    expect(new Set(maskOperands(g)).size).toBe(1);
    // Per layer Sub, Mul, Unsqueeze and the shared Reshape/Cast/ConstantOfShape/Mul are gone; the bias adds one Mul.
    expect(g.count('Mul')).toBe(mulsBefore - 3 - 1 + 1);
    expect(g.count('ConstantOfShape')).toBe(0);
    const after = await run(g.model, feeds);
    expect(maxAbsDiff(after.y!, before.y!, realTokens)).toBeLessThanOrEqual(1e-5);
    expect(allFinite(after.y!)).toBe(true);
  });

  it('keeps fully padded rows finite where a -inf style mask would give NaN', async () => {
    // (1 - m) * -3.4e38 in float16 rounds to -inf; a row of -inf scores is NaN after Softmax.
    const g = new TestGraph(14);
    const x = g.input('hidden', 'float32', ['batch', 'sequence', H]);
    const m = g.input('attention_mask', 'int64', ['batch', 'sequence']);
    const cast = g.op('Cast', [g.unsqueeze(g.unsqueeze(m, [1]), [2])], { to: attr.int(1) });
    const term = g.op('Mul', [g.op('Sub', [g.scalar(1), cast]), g.scalar(Number.NEGATIVE_INFINITY)]);
    // 0 * -inf is NaN for the attended keys: guard with Where like exporters that use -inf.
    const isMasked = g.op('Equal', [cast, g.scalar(0)]);
    const safe = g.op('Where', [isMasked, term, g.scalar(0)]);
    g.output(attention(g, x, { hidden: H, heads: 2, term: safe, seed: 4 }), 'y');
    const feeds = { hidden: floats([B, S, H], 5), attention_mask: paddingMask(LENGTHS, S) };
    const before = await run(g.model, feeds);
    expect(allFinite(before.y!)).toBe(false);
    const r = applyAndVerify(g.model, [sharedMaskBiasRule]);
    expect(r.fired[SHARED_MASK_BIAS]).toBe(1);
    const after = await run(g.model, feeds);
    expect(maxAbsDiff(after.y!, before.y!, realTokens)).toBeLessThanOrEqual(1e-5);
    expect(allFinite(after.y!)).toBe(true);
  });

  it('refuses a term that depends on more than the mask input and constants', () => {
    const g = new TestGraph(14);
    const x = g.input('hidden', 'float32', ['batch', 'sequence', H]);
    const m = g.input('attention_mask', 'int64', ['batch', 'sequence']);
    const cast = g.op('Cast', [g.unsqueeze(g.unsqueeze(m, [1]), [2])], { to: attr.int(1) });
    const term = g.op('Mul', [g.op('Sub', [g.scalar(1), cast]), g.scalar(-10000)]);
    const learned = g.op('Unsqueeze', [
      g.op('ReduceMean', [x], { axes: attr.ints([2]), keepdims: attr.int(0) }),
      g.ints([1, 2]),
    ]);
    g.output(attention(g, x, { hidden: H, heads: 2, term: g.op('Add', [term, learned]), seed: 1 }), 'y');
    const r = applyAndVerify(g.model, [sharedMaskBiasRule]);
    expect(r.fired[SHARED_MASK_BIAS]).toBe(0);
    expect(r.rejected[SHARED_MASK_BIAS]).toEqual({
      'the mask term depends on inputs other than the attention mask': 1,
    });
  });

  it('refuses a mask computed from token ids, a weak masked value, and a query-axis mask', () => {
    const g = new TestGraph(14);
    const x = g.input('input_ids', 'int64', ['batch', S]);
    const m = g.input('attention_mask', 'int64', ['batch', S]);
    const table = g.weight('word_embeddings', [50, H], 1);
    const h = g.op('Gather', [table, x]);
    const pad = g.op('Cast', [g.op('Equal', [x, g.init('zero', Tensor.int64([], [0]))])], {
      to: attr.int(1),
    });
    const fromIds = g.unsqueeze(g.op('Mul', [pad, g.scalar(-10000)]), [1, 2]);
    const keys = g.op('Cast', [g.unsqueeze(m, [1, 2])], { to: attr.int(1) });
    const weak = g.op('Mul', [g.op('Sub', [g.scalar(1), keys]), g.scalar(-100)]);
    const queries = g.op('Cast', [g.unsqueeze(m, [1, 3])], { to: attr.int(1) });
    const queryAxis = g.op('Mul', [g.op('Sub', [g.scalar(1), queries]), g.scalar(-10000)]);
    let y = attention(g, h, { hidden: H, heads: 2, term: fromIds, seed: 1 });
    y = attention(g, y, { hidden: H, heads: 2, term: weak, seed: 2 });
    y = attention(g, y, { hidden: H, heads: 2, term: queryAxis, seed: 3 });
    g.output(y, 'y');
    const r = applyAndVerify(g.model, [sharedMaskBiasRule]);
    expect(r.fired[SHARED_MASK_BIAS]).toBe(0);
    expect(r.rejected[SHARED_MASK_BIAS]).toEqual({
      'the mask input is also read as data (token ids?)': 1,
      'the masked value is weaker than -10000': 1,
      'the mask term is not laid out as [batch, 1, 1 or seq, seq]': 1,
    });
    expect(writeModel(g.model).length).toBeGreaterThan(0);
  });
});
