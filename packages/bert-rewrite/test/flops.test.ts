// FLOPs per sequence: the analytic BERT formula against the 79 GFLOP for BERT-Large at
// 128, and the graph count (specialized copy, 2 * M * N * K per product) against the formula.
import { BERT_PRESETS } from '@bert-neuron/bert-models';
import { describe, expect, it } from 'vitest';
import { applyPrecision } from '../src/precision/apply-precision.js';
import { bertFlops } from '../src/report/bert-flops.js';
import { countFlops } from '../src/report/count-flops.js';
import { countParameters } from '../src/report/count-parameters.js';
import { countNodesByPrecision } from '../src/report/node-precision.js';
import { taggedBert } from './precision-support.js';

describe('bertFlops', () => {
  it('BERT-Large at sequence 128 is within 2% of 79 GFLOP per sequence', () => {
    const f = bertFlops(BERT_PRESETS.large, 128, { head: 'sequence-classification', numLabels: 2 });
    // 24 * (2*128*(4*1024^2 + 2*1024*4096) + 4*128^2*1024) + 2*1024^2 + 2*1024*2
    expect(f.perLayer).toBe(3_288_334_336);
    expect(f.total).toBe(24 * 3_288_334_336 + 2 * 1024 * 1024 + 2 * 1024 * 2);
    expect(Math.abs(f.total - 79e9) / 79e9).toBeLessThan(0.02);
  });

  it('counts heads: question answering per token, encoder without one', () => {
    const c = BERT_PRESETS.base;
    expect(bertFlops(c, 64, { head: 'question-answering' }).head).toBe(2 * 64 * 768 * 2);
    expect(bertFlops(c, 64, { head: 'question-answering' }).pooler).toBe(0);
    expect(bertFlops(c, 64, { head: 'encoder' }).total).toBe(bertFlops(c, 64).encoder + 2 * 768 * 768);
    expect(() => bertFlops(c, 0)).toThrow(expect.objectContaining({ code: 'BRW_ERR_OPTION' }));
  });
});

describe('countFlops on the graph equals bertFlops', () => {
  for (const preset of ['tiny', 'mini'] as const)
    for (const sequence of [64, 128])
      it(`${preset} at ${sequence}`, () => {
        const { config, model } = taggedBert(preset, { labels: 2 });
        const f = countFlops(model, { batch: 2, sequence });
        const analytic = bertFlops(config, sequence, { numLabels: 2 });
        expect(f.unresolved).toEqual([]);
        expect(Math.abs(f.matmulPerSequence - analytic.total) / analytic.total).toBeLessThan(0.01);
        // Attention products [B, A, S, D] x [B, A, D, S] and P V: 4 S^2 H per layer.
        const H = config.hiddenSize;
        const projections = 2 * sequence * 3 * H * H;
        expect(f.byRegion.attention).toBe(
          config.numHiddenLayers * (projections + 4 * sequence * sequence * H),
        );
        expect(f.elementwisePerSequence).toBeGreaterThan(0);
        // The model itself is not specialized.
        expect(model.graph.inputs[0]!.shape).toEqual(['batch', 'sequence']);
      });

  it('counts DynamicQuantizeMatMul like MatMul (int8 model) and takes a static batch', () => {
    const { config, model } = taggedBert('tiny', { batch: 3, sequence: 32, labels: 2 });
    applyPrecision(model, 'int8');
    const f = countFlops(model);
    expect([f.batch, f.sequence]).toEqual([3, 32]);
    expect(f.matmulPerSequence).toBe(bertFlops(config, 32, { numLabels: 2 }).total);
    expect(Object.keys(f.byOp).sort()).toEqual(['DynamicQuantizeMatMul', 'MatMul']);
    expect(() => countFlops(model, { sequence: 64 })).toThrow(
      expect.objectContaining({ code: 'BRW_ERR_OPTION' }),
    );
  });

  it('needs a sequence length for a symbolic model', () => {
    const { model } = taggedBert('tiny');
    expect(() => countFlops(model)).toThrow(expect.objectContaining({ code: 'BRW_ERR_OPTION' }));
  });
});

describe('report pieces', () => {
  it('parameters by dtype and nodes by precision after mixed', () => {
    const { config, model } = taggedBert('tiny', { labels: 2 });
    const before = countParameters(model);
    expect(Object.keys(before.byDtype).sort()).toEqual(['float32', 'int64']);
    applyPrecision(model, 'mixed');
    const after = countParameters(model);
    const H = config.hiddenSize;
    const I = config.intermediateSize;
    // Dense kernels and biases of the layers, pooler and classifier become FP16 (2 bytes each),
    // and the erf GELU's three scalars (1/sqrt2, 1, 0.5) per layer.
    const fp16 =
      config.numHiddenLayers * (4 * (H * H + H) + H * I + I + I * H + H + 3) + (H * H + H) + (H * 2 + 2);
    expect(after.byDtype.float16?.count).toBe(fp16);
    expect(after.byDtype.float16?.bytes).toBe(2 * fp16);
    expect(after.total.count).toBe(before.total.count + 2); // the mask Clip's bounds
    const nodes = countNodesByPrecision(model);
    expect(nodes.cast).toBe(4 * config.numHiddenLayers + 3 + 1); // + the mask's own int64 -> float Cast
    expect(nodes.float16).toBeGreaterThan(nodes.float32!);
  });
});
