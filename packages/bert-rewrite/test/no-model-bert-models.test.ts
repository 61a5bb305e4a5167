// The whole no-model path on the exporter-shaped models of @bert-neuron/bert-models: hf-torch at
// opsets 11, 14, 17 (tiny and mini, with inference Dropout nodes) and tf-google (all three heads). The
// rewritten graph must give the source's outputs (1e-4) on seeded padded inputs, keep one mask
// computation, no Dropout/Identity, no scale on the scores, one LayerNormalization per LayerNorm
// and one GELU op per layer, no unused inputs, and regions on every node.
import {
  BERT_PRESETS,
  type BertFlavor,
  type BertHead,
  type BertPresetName,
  generateBert,
} from '@bert-neuron/bert-models';
import { type Model, readModel, type Value, writeModel } from '@bert-neuron/graph-ir';
import type ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { noModelRewrite } from '../src/no-model/no-model-rewrite.js';
import { regionOf } from '../src/regions.js';
import { FOLD_ATTENTION_SCALE } from '../src/rules/fold-attention-scale.js';
import { FUSE_LAYER_NORM } from '../src/rules/fuse-layer-norm.js';
import { FUSE_LAYER_NORM_TF } from '../src/rules/fuse-layer-norm-tf.js';
import { SHARED_MASK_BIAS } from '../src/rules/shared-mask-bias.js';
import { countOps, maxAbsDiff, paddingMask, run, segmentIds, tokenIds } from './rules-support.js';

interface Case {
  readonly flavor: BertFlavor;
  readonly preset: BertPresetName;
  readonly opset: number;
  readonly head: BertHead;
  readonly dropout: boolean;
}

const CASES: Case[] = [
  { flavor: 'hf-torch', preset: 'tiny', opset: 11, head: 'sequence-classification', dropout: true },
  { flavor: 'hf-torch', preset: 'tiny', opset: 14, head: 'question-answering', dropout: true },
  { flavor: 'hf-torch', preset: 'tiny', opset: 17, head: 'encoder', dropout: true },
  { flavor: 'hf-torch', preset: 'mini', opset: 11, head: 'question-answering', dropout: true },
  { flavor: 'hf-torch', preset: 'mini', opset: 14, head: 'sequence-classification', dropout: true },
  { flavor: 'hf-torch', preset: 'mini', opset: 17, head: 'sequence-classification', dropout: true },
  { flavor: 'tf-google', preset: 'tiny', opset: 13, head: 'sequence-classification', dropout: false },
  { flavor: 'tf-google', preset: 'tiny', opset: 13, head: 'encoder', dropout: false },
  { flavor: 'tf-google', preset: 'mini', opset: 17, head: 'question-answering', dropout: false },
];

/** Feeds by input name: ids, mask and segments with padding (every row keeps [CLS] .. [SEP]). */
function feedsFor(model: Model, seq: number): Record<string, ort.Tensor> {
  const lengths = [seq, Math.max(2, Math.floor(seq / 2)), 3];
  const feeds: Record<string, ort.Tensor> = {};
  for (const v of model.graph.inputs) {
    if (v.isInitializer) continue;
    const dtype = v.dtype === 'int32' ? 'int32' : 'int64';
    const n = v.name.toLowerCase();
    if (n.includes('mask')) feeds[v.name] = paddingMask(lengths, seq, dtype);
    else if (n.includes('type') || n.includes('segment')) feeds[v.name] = segmentIds(lengths, seq, dtype);
    else if (n.includes('ids') && !n.includes('label'))
      feeds[v.name] = tokenIds(lengths, seq, 100, 17, dtype);
    else if (v.shape?.length === 1)
      // A [batch] input (tf-google's label_ids, is_real_example): one value per row.
      feeds[v.name] = tokenIds([1, 1, 1], 1, 2, 3, dtype).reshape([lengths.length]);
    else feeds[v.name] = tokenIds(lengths, seq, 2, 3, dtype);
  }
  return feeds;
}

/** The value each attention Softmax adds to its scores, and what the scores are. */
function attentionInputs(model: Model): { bias: Value; scoresOp: string }[] {
  // Attention Softmaxes only: tf-google's classifier ends in a Softmax too (probabilities).
  return model.graph.nodes
    .filter((n) => n.opType === 'Softmax' && regionOf(n) === 'attention')
    .map((s) => {
      const add = s.input(0)!.producer!;
      expect(add.opType).toBe('Add');
      const bias = add.inputs.find((v) => v!.producer?.metadata.get('rule') === SHARED_MASK_BIAS)!;
      const scores = add.inputs.find((v) => v !== bias)!;
      return { bias, scoresOp: scores.producer!.opType };
    });
}

describe('noModelRewrite on bert-models exports', () => {
  for (const c of CASES) {
    it(`${c.flavor} ${c.preset} opset ${c.opset} ${c.head}${c.dropout ? ' with dropout' : ''}`, async () => {
      const config = BERT_PRESETS[c.preset];
      const layers = config.numHiddenLayers;
      const source = generateBert({
        config,
        flavor: c.flavor,
        head: c.head,
        opset: c.opset,
        seed: 5,
        ...(c.flavor === 'tf-google' ? { sequenceLength: 16 } : { dropout: c.dropout }),
      });
      const bytes = writeModel(source);
      const model = readModel(bytes);
      const inputsBefore = model.graph.inputs.map((v) => v.name);
      const report = noModelRewrite(model);

      // Numbers: the rewritten model gives the source's outputs.
      const seq = c.flavor === 'tf-google' ? 16 : 12;
      // Feeds for every input of the source (the rewrite drops tf-google's unused ones).
      const feeds = feedsFor(source, seq);
      const before = await run(bytes, feeds);
      const after = await run(model, feeds);
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      for (const name of Object.keys(before))
        expect(maxAbsDiff(after[name]!, before[name]!)).toBeLessThanOrEqual(1e-4);

      // One mask computation: every layer adds the same bias, the mask input feeds only it.
      const atts = attentionInputs(model);
      expect(atts).toHaveLength(layers);
      expect(new Set(atts.map((a) => a.bias)).size).toBe(1);
      const maskInput = model.graph.inputs.find((v) => v.name.toLowerCase().includes('mask'))!;
      expect(model.graph.consumers(maskInput).map((n) => n.opType)).toEqual(['Cast']);
      expect(report.rules[SHARED_MASK_BIAS]!.fired).toBe(layers);
      // No scale between the scores MatMul and the mask Add.
      expect(atts.every((a) => a.scoresOp === 'MatMul')).toBe(true);
      expect(report.rules[FOLD_ATTENTION_SCALE]!.fired).toBe(layers);
      // No training-only ops.
      expect(countOps(model, 'Dropout') + countOps(model, 'Identity')).toBe(0);
      // Fusions: LayerNorm per sublayer + embeddings, one GELU per layer.
      expect(countOps(model, 'LayerNormalization')).toBe(2 * layers + 1);
      const ln = (report.rules[FUSE_LAYER_NORM]?.fired ?? 0) + (report.rules[FUSE_LAYER_NORM_TF]?.fired ?? 0);
      expect(ln).toBe(c.flavor === 'hf-torch' && c.opset >= 17 ? 0 : 2 * layers + 1);
      const gelu = c.flavor === 'tf-google' ? 'FastGelu' : 'Gelu';
      expect(countOps(model, gelu, 'com.microsoft')).toBe(layers);
      for (const op of ['Erf', 'Tanh', 'Pow', 'Sqrt', 'ReduceMean']) {
        const left = countOps(model, op);
        // The pooler's Tanh stays.
        expect(left, op).toBe(
          op === 'Tanh' && c.head === 'sequence-classification'
            ? 1
            : op === 'Tanh' && c.head === 'encoder' && c.flavor === 'hf-torch'
              ? 1
              : 0,
        );
      }
      // Unused inputs are gone (tf-google's label_ids, is_real_example); the others stay.
      const used = model.graph.inputs.map((v) => v.name);
      expect(report.removedInputs).toEqual(inputsBefore.filter((n) => !used.includes(n)));
      for (const v of model.graph.inputs) expect(v.uses.length, v.name).toBeGreaterThan(0);
      // (run_classifier's serving signature has them; the SQuAD and encoder exports do not.)
      if (c.flavor === 'tf-google')
        expect([...report.removedInputs].sort()).toEqual(
          c.head === 'sequence-classification' ? ['is_real_example', 'label_ids'] : [],
        );
      // Regions on every node; the mask region is the shared bias alone.
      expect(report.regions).toEqual({ status: 'tagged', tagged: model.graph.nodes.length, untagged: 0 });
      const maskNodes = model.graph.nodes.filter((n) => regionOf(n) === 'mask');
      expect(maskNodes.map((n) => n.opType).sort()).toEqual(['Cast', 'Mul', 'Sub', 'Unsqueeze']);
      // Nothing refused.
      for (const [rule, o] of Object.entries(report.rules)) expect(o.rejected, rule).toEqual({});
    });
  }
});
