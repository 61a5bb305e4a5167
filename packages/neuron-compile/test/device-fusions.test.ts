// The device fusions, rule by rule: structure (what fired, the IR invariants) and numbers (the
// device partition before and after through onnxruntime with graph optimizations disabled, on the
// same host outputs).
import { BERT_PRESETS, generateBert } from '@bert-neuron/bert-models';
import { detectBert, type PrecisionPolicy } from '@bert-neuron/bert-rewrite';
import {
  applyRules,
  deadCodeEliminationPass,
  fromFloat16Array,
  type Model,
  readModel,
  runPasses,
  verifyModel,
  writeModel,
} from '@bert-neuron/graph-ir';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { deviceFusionRules, fuseDevice } from '../src/fuse/device-fusions.js';
import { FLOAT32_LAYER_NORM } from '../src/fuse/float32-layer-norm.js';
import { ATTENTION_BIAS_CACHE, FUSE_ATTENTION, fuseAttentionRule } from '../src/fuse/fuse-attention.js';
import { FUSE_SKIP_LAYER_NORM, fuseSkipLayerNormRule } from '../src/fuse/fuse-skip-layer-norm.js';
import { pruneToFirstToken } from '../src/fuse/prune-to-first-token.js';
import { copyModel } from '../src/pipeline/copy-model.js';
import { type PreparedPartitions, preparePartitions } from '../src/pipeline/prepare-partitions.js';
import { rewriteStage } from '../src/pipeline/rewrite-stage.js';
import { errors, seededBatch } from './support/independent-check.js';
import { WELL_CONDITIONED } from './support/models.js';

const BATCH = 3;
const BUCKET = 24;

function partitions(
  precision: PrecisionPolicy,
  head: 'sequence-classification' | 'question-answering' = 'sequence-classification',
): PreparedPartitions {
  const source = readModel(
    writeModel(generateBert({ config: BERT_PRESETS.tiny, head, seed: 5, init: WELL_CONDITIONED })),
  );
  const rewritten = rewriteStage(source, detectBert(source), { path: 'model', batch: BATCH });
  return preparePartitions(rewritten.model, { batch: BATCH, buckets: [BUCKET], precision, fuse: false });
}

const count = (m: Model, opType: string) => m.graph.nodes.filter((n) => n.opType === opType).length;

/** The host's outputs on a seeded padded batch, then the device on them: outputs as float64. */
async function runDevice(parts: PreparedPartitions, device: Model): Promise<Record<string, Float64Array>> {
  const b = seededBatch(BATCH, BUCKET, 30522, 11);
  const t = (v: number[]) => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), [BATCH, BUCKET]);
  const opts = { graphOptimizationLevel: 'disabled' as const, logSeverityLevel: 3 as const };
  const host = await ort.InferenceSession.create(writeModel(parts.hosts[0]!.model), opts);
  const hostOut = await host.run({
    input_ids: t(b.ids),
    attention_mask: t(b.mask),
    token_type_ids: t(b.types),
  });
  const session = await ort.InferenceSession.create(writeModel(device), opts);
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) feeds[name] = hostOut[name]!;
  const out = await session.run(feeds);
  const result: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(out))
    result[k] = Float64Array.from(
      v.type === 'float16' ? fromFloat16Array(v.data as Uint16Array) : (v.data as Float32Array),
    );
  return result;
}

async function expectSameOutputs(
  parts: PreparedPartitions,
  fused: Model,
  bound: { abs?: number; rel?: number },
) {
  verifyModel(fused);
  const [before, after] = [await runDevice(parts, parts.device), await runDevice(parts, fused)];
  for (const [name, values] of Object.entries(before)) {
    const e = errors(after[name]!, values);
    if (bound.abs !== undefined) expect(e.abs, name).toBeLessThanOrEqual(bound.abs);
    if (bound.rel !== undefined) expect(e.rel, name).toBeLessThanOrEqual(bound.rel);
  }
}

describe('device fusions', () => {
  it('static reshape targets: the device reads only the hidden states and the mask bias from the host', () => {
    const parts = partitions('fp32');
    expect(parts.staticReshapeTargets).toBeGreaterThan(0);
    expect(parts.boundary.map((b) => [b.name, b.dtype])).toEqual([
      ['embeddings/Reshape:0', 'float32'],
      ['mask/attention_bias', 'float32'],
    ]);
    expect(parts.device.graph.nodes.some((n) => n.opType === 'Shape')).toBe(false);
    // The host is specialized to [batch, bucket]: no shape arithmetic left.
    expect(parts.hosts[0]!.model.graph.inputs.map((v) => v.shape)).toEqual([
      [BATCH, BUCKET],
      [BATCH, BUCKET],
      [BATCH, BUCKET],
    ]);
    expect(count(parts.hosts[0]!.model, 'Shape')).toBe(0);
  });

  it('fuse-attention: one com.microsoft Attention per layer, packed Q|K|V, same outputs', async () => {
    const parts = partitions('fp32', 'question-answering');
    const fused = copyModel(parts.device);
    const r = applyRules(fused, [fuseAttentionRule], { options: { [ATTENTION_BIAS_CACHE]: new Map() } });
    runPasses(fused, [deadCodeEliminationPass()]);
    expect(r.fired[FUSE_ATTENTION]).toBe(2);
    expect(count(fused, 'Attention')).toBe(2);
    expect(count(fused, 'Softmax')).toBe(0);
    expect(count(fused, 'Transpose')).toBe(0);
    // The bias is expanded once and shared.
    expect(count(fused, 'Expand')).toBe(1);
    const attention = fused.graph.nodes.find((n) => n.opType === 'Attention')!;
    expect(attention.input(1)!.initializer!.dims).toEqual([128, 384]);
    expect(attention.attrFloat('scale')).toBe(1);
    expect(fused.opset('com.microsoft')).toBe(1);
    await expectSameOutputs(parts, fused, { abs: 1e-5 });
    // The separate form: projections left as dense layers, MultiHeadAttention on their outputs.
    const separate = copyModel(parts.device);
    const s = fuseDevice(separate, { attentionForm: 'separate' });
    expect(s.fusedOps['com.microsoft:MultiHeadAttention']).toBe(2);
    expect(s.fusedOps['com.microsoft:Attention']).toBeUndefined();
    await expectSameOutputs(parts, separate, { abs: 1e-5 });
  });

  it('prune-to-first-token: the last layer for the [CLS] rows only, same logits', async () => {
    const parts = partitions('fp32');
    const pruned = copyModel(parts.device);
    const r = pruneToFirstToken(pruned);
    runPasses(pruned, [deadCodeEliminationPass()]);
    expect(r).toMatchObject({ pruned: true, reason: null });
    expect(count(pruned, 'MultiHeadAttention')).toBe(1);
    const mha = pruned.graph.nodes.find((n) => n.opType === 'MultiHeadAttention')!;
    expect(mha.input(0)!.shape).toEqual([BATCH, 1, 128]);
    // The last layer's feed-forward reads [batch, hidden], not [tokens, hidden].
    const lastFfn = pruned.graph.nodes
      .filter((n) => n.opType === 'MatMul' && n.input(1)?.initializer?.dims[1] === 512)
      .at(-1)!;
    expect(lastFfn.input(0)!.shape).toEqual([BATCH, 128]);
    await expectSameOutputs(parts, pruned, { abs: 1e-5 });
    // A head that reads every token is left alone.
    const qa = partitions('fp32', 'question-answering');
    expect(pruneToFirstToken(copyModel(qa.device))).toMatchObject({
      pruned: false,
      reason: 'no head reads the first token only',
    });
  });

  it('skip-layer-norm (optional): residual add + LayerNorm + dense bias fused, same outputs', async () => {
    const parts = partitions('fp32', 'question-answering');
    const fused = copyModel(parts.device);
    const r = applyRules(fused, [fuseSkipLayerNormRule]);
    runPasses(fused, [deadCodeEliminationPass()]);
    expect(r.fired[FUSE_SKIP_LAYER_NORM]).toBe(4);
    expect(count(fused, 'LayerNormalization')).toBe(0);
    const skip = fused.graph.nodes.filter((n) => n.opType === 'SkipLayerNormalization');
    expect(skip.every((n) => n.inputs.length === 5 && n.input(0)!.producer!.opType === 'MatMul')).toBe(true);
    await expectSameOutputs(parts, fused, { abs: 1e-5 });
    expect(deviceFusionRules().map((x) => x.name)).not.toContain(FUSE_SKIP_LAYER_NORM);
    expect(deviceFusionRules({ skipLayerNorm: true }).map((x) => x.name)).toContain(FUSE_SKIP_LAYER_NORM);
  });

  const expected: Record<
    PrecisionPolicy,
    { ops: Record<string, number>; bound: { abs?: number; rel?: number } }
  > = {
    fp32: {
      ops: {
        'com.microsoft:Attention': 1,
        'com.microsoft:MultiHeadAttention': 1,
        'com.microsoft:BiasGelu': 2,
      },
      bound: { abs: 1e-5 },
    },
    mixed: {
      ops: {
        'com.microsoft:Attention': 1,
        'com.microsoft:MultiHeadAttention': 1,
        'com.microsoft:BiasGelu': 2,
      },
      bound: { rel: 5e-3 },
    },
    aggressive: {
      ops: {
        'com.microsoft:Attention': 1,
        'com.microsoft:MultiHeadAttention': 1,
        'com.microsoft:QuickGelu': 2,
      },
      bound: { rel: 5e-3 },
    },
    // bert-rewrite's int8 quantizes the feed-forward dense layers (DynamicQuantizeMatMul, bias
    // inside): GELU stays a bare Gelu. Activations are quantized per tensor at run time, so the
    // pruned last layer's [batch, hidden] tensors get their own scales: the numbers move within
    // int8's budget, not to the bit.
    int8: {
      ops: { 'com.microsoft:Attention': 1, 'com.microsoft:MultiHeadAttention': 1, 'com.microsoft:Gelu': 2 },
      bound: { rel: 5e-2 },
    },
  };
  for (const precision of ['fp32', 'mixed', 'aggressive', 'int8'] as const)
    it(`fuseDevice at ${precision}: ${Object.keys(expected[precision].ops).join(', ')}`, async () => {
      const parts = partitions(precision);
      const fused = copyModel(parts.device);
      const r = fuseDevice(fused);
      expect(r.firstToken.pruned).toBe(true);
      expect(r.fusedOps).toEqual(expected[precision].ops);
      expect(r.nodes.after).toBeLessThan(r.nodes.before);
      for (const rule of Object.keys(r.rejected)) expect(r.rejected[rule], rule).toEqual({});
      // Float16 LayerNorms (aggressive) run in float32 between casts: none left in float16.
      expect(r.fired[FLOAT32_LAYER_NORM]).toBe(precision === 'aggressive' ? 4 : 0);
      const lnTypes = fused.graph.nodes
        .filter((n) => n.opType === 'LayerNormalization')
        .map((n) => n.out.dtype);
      expect(lnTypes.every((t) => t === 'float32')).toBe(true);
      // Every node keeps a region and the device placement.
      for (const n of fused.graph.nodes) expect(n.metadata.get('placement'), n.describe()).toBe('device');
      await expectSameOutputs(parts, fused, expected[precision].bound);
    });
});
