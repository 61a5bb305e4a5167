// The structure buildNeuronBert promises: static shapes without shape arithmetic, one shared mask
// bias, the attention scale folded into the query weights, one LayerNormalization per LayerNorm,
// 2-D hidden states, every node tagged, weights shared rather than copied.
import { BERT_PRESETS, generateBertWeights } from '@bert-neuron/bert-models';
import { type Model, type Node, verifyModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { buildNeuronBert } from '../src/build/build-neuron-bert.js';
import { BUILDER_RULE } from '../src/build/node-emitter.js';
import { BERT_REGIONS, layerOf, META, placementOf, placementOfRegion, regionOf } from '../src/regions.js';

const config = BERT_PRESETS.tiny;
const L = config.numHiddenLayers;
const H = config.hiddenSize;
const D = H / config.numAttentionHeads;
const weights = generateBertWeights(config, { seed: 3, classifierLabels: 2, questionAnswering: true });

const SHAPE_OPS = ['Shape', 'Concat', 'Unsqueeze', 'ConstantOfShape', 'Size', 'Range', 'Expand'];
const ops = (m: Model, op: string): Node[] => m.graph.nodes.filter((n) => n.opType === op);
const isConstant = (n: Node, i: number): boolean =>
  n.input(i)?.initializer !== undefined && !n.input(i)!.isGraphInput;

describe('static batch and sequence', () => {
  for (const head of ['sequence-classification', 'question-answering', 'encoder'] as const)
    it(`${head}: no shape arithmetic, every Reshape target and Slice bound a constant`, () => {
      const m = buildNeuronBert(config, weights, { head, batch: 6, sequence: 128 });
      verifyModel(m);
      for (const op of SHAPE_OPS) expect(ops(m, op), op).toHaveLength(0);
      const reshapes = ops(m, 'Reshape');
      expect(reshapes.length).toBeGreaterThan(0);
      for (const r of reshapes) {
        expect(isConstant(r, 1), r.name).toBe(true);
        expect(
          r
            .input(1)!
            .initializer!.toNumbers()
            .every((d) => d > 0),
          r.name,
        ).toBe(true);
      }
      for (const s of ops(m, 'Slice'))
        for (let i = 1; i < s.inputs.length; i++) expect(isConstant(s, i)).toBe(true);
      // Inputs and outputs carry the static dims.
      for (const v of m.graph.inputs) expect(v.shape).toEqual([6, 128]);
      if (head === 'encoder')
        expect(m.graph.outputs.map((v) => v.shape)).toEqual([
          [6, 128, H],
          [6, H],
        ]);
    });
});

describe('symbolic batch and sequence', () => {
  it('one Shape of the ids input feeds every shape target, each made once and shared by all layers', () => {
    const m = buildNeuronBert(config, weights, { head: 'sequence-classification' });
    verifyModel(m);
    expect(m.graph.inputs.map((v) => v.shape)).toEqual([
      ['batch', 'sequence'],
      ['batch', 'sequence'],
      ['batch', 'sequence'],
    ]);
    const shapes = ops(m, 'Shape');
    expect(shapes).toHaveLength(1);
    expect(shapes[0]!.input(0)!.name).toBe('input_ids');
    // [B, S, A, D] for the heads split and [B, S, H] for the first token: one Concat each.
    const concats = ops(m, 'Concat');
    expect(concats).toHaveLength(2);
    for (const c of concats) expect(c.input(0)).toBe(shapes[0]!.out);
    const headsShape = concats.find(
      (c) => c.input(1)!.initializer!.toNumbers().join() === `${config.numAttentionHeads},${D}`,
    )!;
    expect(headsShape.out.uses).toHaveLength(3 * L);
    expect(ops(m, 'Unsqueeze')).toHaveLength(0);
    expect(ops(m, 'ConstantOfShape')).toHaveLength(0);
  });

  it('mixed: a static sequence with a symbolic batch slices the positions with a constant', () => {
    const m = buildNeuronBert(config, weights, { head: 'encoder', batch: 'n', sequence: 32 });
    verifyModel(m);
    const slice = ops(m, 'Slice').find((n) => n.name.startsWith('embeddings/'))!;
    expect(slice.input(2)!.initializer!.toNumbers()).toEqual([32]);
    expect(m.graph.outputs[0]!.shape).toEqual(['n', 32, H]);
  });
});

describe('attention', () => {
  const m = buildNeuronBert(config, weights, { head: 'sequence-classification', batch: 2, sequence: 16 });

  it('builds the mask bias once, as (1 - mask) * -10000 of shape [B,1,1,S], and every layer adds it', () => {
    const maskNodes = m.graph.nodes.filter((n) => regionOf(n) === 'mask');
    expect(maskNodes.map((n) => n.opType)).toEqual(['Cast', 'Sub', 'Mul', 'Reshape']);
    const [, sub, mul, reshape] = maskNodes;
    expect(sub!.input(0)!.initializer!.toNumbers()).toEqual([1]);
    expect(mul!.input(1)!.initializer!.toNumbers()).toEqual([-10000]);
    expect(reshape!.input(1)!.initializer!.toNumbers()).toEqual([2, 1, 1, 16]);
    const bias = reshape!.out;
    expect(bias.uses).toHaveLength(L);
    for (const u of bias.uses) {
      expect(u.node.opType).toBe('Add');
      expect(u.node.input(0)!.producer!.opType).toBe('MatMul');
    }
    // The mask input is read once, by the Cast.
    expect(m.graph.inputs[1]!.uses.map((u) => u.node)).toEqual([maskNodes[0]]);
  });

  it('has no scale op on the scores: Softmax(MatMul(Q, K) + bias), no Div or Mul in the attention region', () => {
    const softmaxes = ops(m, 'Softmax');
    expect(softmaxes).toHaveLength(L);
    for (const s of softmaxes) {
      const add = s.input(0)!.producer!;
      expect(add.opType).toBe('Add');
      const scores = add.input(0)!.producer!;
      expect(scores.opType).toBe('MatMul');
      expect(scores.input(0)!.producer!.opType).toBe('Transpose');
      expect(scores.input(1)!.producer!.opType).toBe('Transpose');
      expect(scores.input(1)!.producer!.attrInts('perm')).toEqual([0, 2, 3, 1]);
    }
    const attention = m.graph.nodes.filter((n) => regionOf(n) === 'attention');
    expect(attention.filter((n) => n.opType === 'Div' || n.opType === 'Mul')).toEqual([]);
  });

  it('folds 1/sqrt(head size) into the query kernel and bias (copies); other weights are shared, not copied', () => {
    const scale = 1 / Math.sqrt(D);
    for (let i = 0; i < L; i++) {
      const w = weights.layers[i]!;
      const qk = m.graph.value(`encoder/layer_${i}/attention/query/kernel`).initializer!;
      const qb = m.graph.value(`encoder/layer_${i}/attention/query/bias`).initializer!;
      expect(qk.data).not.toBe(w.query.kernel);
      expect(qk.dims).toEqual([H, H]);
      for (const j of [0, 1, 777, H * H - 1])
        expect(qk.getNumber(j)).toBe(Math.fround(w.query.kernel[j]! * scale));
      expect(qb.getNumber(5)).toBe(Math.fround(w.query.bias[5]! * scale));
      expect(m.graph.value(`encoder/layer_${i}/attention/key/kernel`).initializer!.data).toBe(w.key.kernel);
      expect(m.graph.value(`encoder/layer_${i}/intermediate/dense/kernel`).initializer!.data).toBe(
        w.intermediate.kernel,
      );
    }
    expect(m.graph.value('embeddings/word_embeddings/table').initializer!.data).toBe(weights.wordEmbeddings);
    for (const v of m.graph.initializers)
      expect(v.dtype === 'float32' || v.dtype === 'int64', v.name).toBe(true);
  });
});

describe('layout and metadata', () => {
  const m = buildNeuronBert(config, weights, { head: 'question-answering', batch: 2, sequence: 16 });

  it('uses one LayerNormalization per LayerNorm (opset 17) and 2-D hidden states between layers', () => {
    expect(m.opset()).toBe(17);
    expect(ops(m, 'LayerNormalization')).toHaveLength(1 + 2 * L);
    expect(ops(m, 'ReduceMean')).toHaveLength(0);
    // Exactly one Reshape in the embeddings: [B, S, H] -> [B*S, H].
    const embReshapes = m.graph.nodes.filter((n) => n.opType === 'Reshape' && regionOf(n) === 'embeddings');
    expect(embReshapes).toHaveLength(1);
    expect(embReshapes[0]!.out.shape).toEqual([32, H]);
    for (const n of m.graph.nodes.filter(
      (x) => layerOf(x) !== undefined && x.opType === 'LayerNormalization',
    ))
      expect(n.out.shape).toEqual([32, H]);
    // Dense layers are 2-D MatMuls: [B*S, in] x [in, out].
    for (const n of ops(m, 'MatMul').filter((x) => x.input(1)!.isInitializer))
      expect(n.input(0)!.shape!.length, n.name).toBe(2);
  });

  it('tags every node with a region, its placement, the builder rule, and the layer inside layers', () => {
    for (const n of m.graph.nodes) {
      const region = regionOf(n);
      expect(region, n.name).toBeDefined();
      expect(BERT_REGIONS).toContain(region);
      expect(placementOf(n), n.name).toBe(placementOfRegion(region!));
      expect(n.metadata.get(META.rule)).toBe(BUILDER_RULE);
      const inLayer = n.name.startsWith('encoder/layer_');
      expect(layerOf(n) !== undefined, n.name).toBe(inLayer);
      if (inLayer) expect(n.name.startsWith(`encoder/layer_${layerOf(n)}/`)).toBe(true);
    }
    const regions = new Set(m.graph.nodes.map(regionOf));
    expect([...regions].sort()).toEqual(
      [
        'attention',
        'attention-output',
        'embeddings',
        'embeddings-layernorm',
        'ffn',
        'head',
        'head-output',
        'layernorm',
        'mask',
      ].sort(),
    );
    const host = m.graph.nodes.filter((n) => placementOf(n) === 'host').map((n) => regionOf(n));
    expect(new Set(host)).toEqual(new Set(['embeddings', 'embeddings-layernorm', 'mask']));
  });

  it('orders every host node before every device node (symbolic shapes too), so the host part is a prefix', () => {
    for (const model of [m, buildNeuronBert(config, weights, { head: 'sequence-classification' })]) {
      const placements = model.graph.nodes.map((n) => placementOf(n));
      const firstDevice = placements.indexOf('device');
      expect(firstDevice).toBeGreaterThan(0);
      expect(placements.slice(firstDevice).every((p) => p === 'device')).toBe(true);
      verifyModel(model);
    }
  });

  it('names nodes and initializers by their place in BERT', () => {
    const names = new Set(m.graph.nodes.map((n) => n.name));
    for (const name of [
      'embeddings/word_embeddings/Gather',
      'embeddings/LayerNorm/LayerNormalization',
      'mask/Sub',
      'encoder/layer_1/attention/query/MatMul',
      'encoder/layer_1/attention/key/Transpose',
      'encoder/layer_1/attention/scores/MatMul',
      'encoder/layer_1/attention/Softmax',
      'encoder/layer_1/attention/output/dense/MatMul',
      'encoder/layer_1/attention/output/LayerNorm/LayerNormalization',
      'encoder/layer_1/intermediate/gelu/Erf',
      'encoder/layer_1/output/LayerNorm/LayerNormalization',
      'qa_outputs/MatMul',
      'qa_outputs/Split',
    ])
      expect(names.has(name), name).toBe(true);
    expect(new Set(m.graph.nodes.map((n) => n.name)).size).toBe(m.graph.nodes.length);
    expect(m.graph.value('encoder/layer_0/output/LayerNorm/gamma').initializer!.data).toBe(
      weights.layers[0]!.outputLayerNorm.gamma,
    );
  });
});
