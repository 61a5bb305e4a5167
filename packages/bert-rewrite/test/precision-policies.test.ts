// Precision policies on BERTs built by buildNeuronBert (every node tagged with its region), run
// through onnxruntime-node with graph optimizations off on seeded inputs with padding and one
// fully padded row. Relative error = max |a - b| / max |b| over a whole output (b the FP32 model's).
import { type Model, printModel, verifyModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { applyPrecision, type PrecisionStats } from '../src/precision/apply-precision.js';
import { PRECISION_RULE } from '../src/precision/convert-float-types.js';
import { floatSlotsOf, slotIncludes } from '../src/precision/float-slots.js';
import type { PrecisionPolicy } from '../src/precision/precision-policy.js';
import { META, regionOf } from '../src/regions.js';
import { allFinite, type Output, paddedFeeds, relativeError, run, taggedBert } from './precision-support.js';

const BATCH = 4;
const SEQUENCE = 32;
const SEED = 7;

const CASES = [
  { preset: 'tiny', head: 'sequence-classification' },
  { preset: 'mini', head: 'sequence-classification' },
  { preset: 'mini', head: 'question-answering' },
] as const;

/** Every Cast converts (its input has another type) and none reads another Cast. */
function expectNoRedundantCasts(model: Model): void {
  for (const n of model.graph.nodes) {
    if (n.opType !== 'Cast') continue;
    const x = n.input(0)!;
    expect(x.dtype, `${n.describe()} input type`).not.toBe(n.output(0)!.dtype);
    expect(x.producer?.opType, `${n.describe()} reads a Cast`).not.toBe('Cast');
  }
}

/** Casts only at boundaries: every other node reads a single float type in its float slots. */
function expectOneFloatTypePerNode(model: Model): void {
  for (const n of model.graph.nodes) {
    const slots = floatSlotsOf(n);
    if (n.opType === 'Cast' || slots === undefined) continue;
    const types = new Set(
      n.inputs
        .filter((v, i) => v !== null && slotIncludes(slots.inputs, i))
        .map((v) => v!.dtype)
        .filter((d) => d === 'float16' || d === 'float32'),
    );
    expect(types.size, `${n.describe()} reads ${[...types]}`).toBeLessThanOrEqual(1);
  }
}

function expectFiniteFloat16Constants(model: Model): number {
  let tensors = 0;
  for (const v of model.graph.initializers) {
    const t = v.initializer!;
    if (t.dtype !== 'float16') continue;
    tensors++;
    expect(t.toFloat32().every(Number.isFinite), v.name).toBe(true);
  }
  return tensors;
}

async function outputsOf(
  policy: PrecisionPolicy | 'fp32',
  c: (typeof CASES)[number],
  gelu?: 'sigmoid',
): Promise<{ model: Model; stats: PrecisionStats; outputs: Record<string, Output> }> {
  const { config, model } = taggedBert(c.preset, { head: c.head, seed: SEED, ...(gelu ? { gelu } : {}) });
  const stats = applyPrecision(model, policy);
  verifyModel(model);
  const feeds = paddedFeeds(BATCH, SEQUENCE, config.vocabSize, { seed: SEED, emptyRow: true });
  return { model, stats, outputs: await run(model, feeds) };
}

describe.each(CASES)('precision policies on $preset $head', (c) => {
  const layers = c.preset === 'tiny' ? 2 : 4;
  let reference: Record<string, Output>;

  it('fp32 changes nothing', async () => {
    const { model } = taggedBert(c.preset, { head: c.head, seed: SEED });
    const before = printModel(model);
    const r = await outputsOf('fp32', c);
    reference = r.outputs;
    expect(printModel(model)).toBe(before);
    expect(printModel(r.model)).toBe(before);
    expect(r.stats.castsInserted).toBe(0);
    expect(r.stats.nodesByPrecision.float16).toBeUndefined();
  });

  it('mixed: FP16 attention and dense layers, 4 casts per layer + 3, error <= 1e-2', async () => {
    const { model, stats, outputs } = await outputsOf('mixed', c);
    // Per layer: hidden -> FP16 (Q/K/V), attention output -> FP32 (residual), LayerNorm -> FP16
    // (FFN), FFN output -> FP32 (residual); once: mask bias -> FP16, last hidden -> FP16 (pooler or
    // QA dense), head -> FP32 (logits or the QA output reshape).
    expect(stats.castsInserted).toBe(4 * layers + 3);
    expect(stats.saturations).toBe(1);
    expect(
      model.graph.nodes.filter((n) => n.opType === 'Cast' && n.metadata.get(META.rule) === PRECISION_RULE)
        .length,
    ).toBe(4 * layers + 3);
    expectNoRedundantCasts(model);
    expectOneFloatTypePerNode(model);
    expect(expectFiniteFloat16Constants(model)).toBeGreaterThan(0);
    for (const n of model.graph.nodes) {
      const region = regionOf(n);
      const out = n.outputs.find((o) => o?.dtype === 'float16' || o?.dtype === 'float32')?.dtype;
      // The casts and the mask bias's saturating Clip belong to the boundary.
      if (n.metadata.get(META.rule) === PRECISION_RULE || out === undefined) continue;
      const want =
        region === 'attention' ||
        region === 'attention-output' ||
        region === 'ffn' ||
        region === 'pooler' ||
        region === 'head'
          ? 'float16'
          : 'float32';
      expect(out, `${n.describe()} in ${region}`).toBe(want);
    }
    for (const [name, o] of Object.entries(outputs)) {
      const e = relativeError(o, reference[name]!);
      console.info(`${c.preset} ${c.head} mixed ${name}: relative error ${e.toExponential(2)}`);
      expect(e, name).toBeLessThanOrEqual(1e-2);
      expect(allFinite(o), `${name} finite (fully padded row included)`).toBe(true);
      expect(o.type).toBe('float32');
    }
  });

  it('aggressive: LayerNorms in FP16 too (not the embedding one), sigmoid GELU, 3 casts', async () => {
    const { model, stats, outputs } = await outputsOf('aggressive', c);
    // Embedding output -> FP16, mask bias -> FP16, head -> FP32: the encoder is FP16 end to end.
    expect(stats.castsInserted).toBe(3);
    expect(stats.gelu?.rewritten).toEqual({ erf: layers });
    expectNoRedundantCasts(model);
    expectOneFloatTypePerNode(model);
    expectFiniteFloat16Constants(model);
    const lns = model.graph.nodes.filter((n) => n.opType === 'LayerNormalization');
    expect(lns.map((n) => [regionOf(n), n.output(0)!.dtype])).toEqual([
      ['embeddings-layernorm', 'float32'],
      ...Array.from({ length: 2 * layers }, () => ['layernorm', 'float16']),
    ]);
    expect(model.graph.nodes.some((n) => n.opType === 'Erf')).toBe(false);
    expect(model.graph.nodes.filter((n) => n.opType === 'Sigmoid').length).toBe(layers);
    // The precision error alone: against FP32 with the same sigmoid GELU.
    const sigmoid = await outputsOf('fp32', c, 'sigmoid');
    for (const [name, o] of Object.entries(outputs)) {
      const precisionOnly = relativeError(o, sigmoid.outputs[name]!);
      const total = relativeError(o, reference[name]!);
      console.info(
        `${c.preset} ${c.head} aggressive ${name}: vs FP32 ${total.toExponential(2)}, vs FP32 with sigmoid GELU ${precisionOnly.toExponential(2)}`,
      );
      expect(precisionOnly, name).toBeLessThanOrEqual(1e-2);
      // The GELU approximation itself moves these random-weight models by up to ~2.5e-2.
      expect(total, name).toBeLessThanOrEqual(3e-2);
      expect(allFinite(o), name).toBe(true);
    }
  });

  it('int8: the feed-forward dense layers in DynamicQuantizeMatMul, the rest FP32, no casts, error <= 5e-2', async () => {
    const { model, stats, outputs } = await outputsOf('int8', c);
    // FFN in and FFN out per layer. Q, K, V and the attention output per layer, and the pooler +
    // classifier or the QA dense stay FP32 MatMuls (INT8_REGIONS says why), beside the two
    // attention products per layer.
    const dense = 2 * layers;
    const kept = 4 * layers + (c.head === 'question-answering' ? 1 : 2);
    expect(stats.int8).toMatchObject({
      quantized: dense,
      biasesFolded: dense,
      keptFloat32: kept,
      regions: ['ffn'],
    });
    expect(stats.castsInserted).toBe(0);
    expect(stats.nodesByPrecision.int8).toBe(dense);
    for (const n of model.graph.nodes.filter((x) => x.opType === 'DynamicQuantizeMatMul'))
      expect(regionOf(n), n.describe()).toBe('ffn');
    expect(model.graph.nodes.filter((n) => n.opType === 'MatMul').length).toBe(2 * layers + kept);
    expect(model.opset('com.microsoft')).toBe(1);
    for (const [name, o] of Object.entries(outputs)) {
      const e = relativeError(o, reference[name]!);
      console.info(`${c.preset} ${c.head} int8 ${name}: relative error ${e.toExponential(2)}`);
      expect(e, name).toBeLessThanOrEqual(5e-2);
      expect(allFinite(o), name).toBe(true);
    }
  });

  it('keeps the graph interface and every integer tensor', () => {
    for (const policy of ['mixed', 'aggressive', 'int8'] as const) {
      const { model } = taggedBert(c.preset, { head: c.head, seed: SEED });
      const io = (m: Model) =>
        [m.graph.inputs, m.graph.outputs].map((vs) => vs.map((v) => `${v.name}:${v.dtype}`));
      const before = io(model);
      const ints = new Map(
        model.graph.initializers.filter((v) => v.dtype === 'int64').map((v) => [v.name, v.initializer]),
      );
      applyPrecision(model, policy);
      expect(io(model), policy).toEqual(before);
      const after = model.graph.initializers.filter((v) => v.dtype === 'int64');
      expect(after.length, policy).toBe(ints.size);
      for (const v of after) expect(v.initializer, `${policy} ${v.name}`).toBe(ints.get(v.name));
    }
  });
});
