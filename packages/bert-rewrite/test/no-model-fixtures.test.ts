// The whole no-model path on real exports (shared onnx-fixtures, see its README): keras2onnx
// TFBertForQuestionAnswering, bert_toy (unsorted, pretraining heads), ONNX Runtime's optimized
// float16 model, and the torch 1.4 opset 10/11 exports that ONNX Runtime refuses as they are
// (rank-0 Concat inputs; graph-ir's constant folding and fixConcatScalars make the source runnable).
// Outputs must match the source (1e-4, float16: 1e-2 relative) and the test data sets; the report
// must count what was fused and removed.
import { readFileSync } from 'node:fs';
import {
  constantFoldingPass,
  fixConcatScalarsPass,
  type Model,
  readModel,
  runPasses,
  writeModel,
} from '@bert-neuron/graph-ir';
import type ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { type NoModelRewriteReport, noModelRewrite } from '../src/no-model/no-model-rewrite.js';
import { FOLD_ATTENTION_SCALE } from '../src/rules/fold-attention-scale.js';
import { FUSE_GELU_ERF } from '../src/rules/fuse-gelu-erf.js';
import { FUSE_LAYER_NORM } from '../src/rules/fuse-layer-norm.js';
import { FUSE_LAYER_NORM_TF } from '../src/rules/fuse-layer-norm-tf.js';
import { SHARED_MASK_BIAS } from '../src/rules/shared-mask-bias.js';
import {
  countOps,
  maxAbsDiff,
  maxRelDiff,
  ortFixture,
  paddingMask,
  run,
  segmentIds,
  testDataSet,
  tokenIds,
} from './rules-support.js';

interface Fixture {
  readonly name: string;
  readonly path: string;
  readonly batch: number;
  readonly seq: number;
  readonly vocab: number;
  readonly layers: number;
  /** LayerNorms (embeddings + 2 per layer + any in the head) and GELUs (per layer + head). */
  readonly layerNorms: number;
  readonly gelus: number;
  readonly layerNormRule: string;
  /** The source needs constant folding + fixConcatScalars before ONNX Runtime loads it. */
  readonly needsFix?: boolean;
  readonly testData?: string;
  readonly float16?: boolean;
}

const FIXTURES: Fixture[] = [
  {
    name: 'keras2onnx TFBertForQuestionAnswering (opset 11, 24 layers)',
    path: ortFixture('bert_squad_tensorflow2.1_keras2onnx_opset11/TFBertForQuestionAnswering.onnx'),
    batch: 3,
    seq: 7,
    vocab: 20,
    layers: 24,
    layerNorms: 49,
    gelus: 24,
    layerNormRule: FUSE_LAYER_NORM_TF,
    testData: ortFixture('bert_squad_tensorflow2.1_keras2onnx_opset11/test_data_set_0'),
  },
  {
    name: 'bert_toy BertForPreTraining (opset 12, unsorted)',
    path: ortFixture('bert_toy/bert_toy_optimized.onnx'),
    batch: 3,
    seq: 9,
    vocab: 99,
    layers: 5,
    layerNorms: 12,
    gelus: 6,
    layerNormRule: FUSE_LAYER_NORM,
  },
  {
    name: 'ONNX Runtime optimized float16 BertForQuestionAnswering (opset 11)',
    path: ortFixture('bert_squad_pytorch1.4_opset11_fp16/BertForQuestionAnswering_ort_cpu.onnx'),
    batch: 2,
    seq: 10,
    vocab: 100,
    layers: 12,
    layerNorms: 25,
    gelus: 12,
    layerNormRule: FUSE_LAYER_NORM,
    float16: true,
  },
  {
    name: 'torch 1.4 BertForQuestionAnswering opset 11 (static [1, 10])',
    path: ortFixture('bert_squad_pytorch1.4_opset11/BertForQuestionAnswering_0.onnx'),
    batch: 1,
    seq: 10,
    vocab: 100,
    layers: 12,
    layerNorms: 25,
    gelus: 12,
    layerNormRule: FUSE_LAYER_NORM,
    needsFix: true,
    testData: ortFixture('bert_squad_pytorch1.4_opset11/test_data_set_0'),
  },
  {
    name: 'torch 1.4 BertForQuestionAnswering opset 10',
    path: ortFixture('bert_squad_pytorch1.4_opset10_fp32/BertForQuestionAnswering.onnx'),
    batch: 2,
    seq: 10,
    vocab: 100,
    layers: 12,
    layerNorms: 25,
    gelus: 12,
    layerNormRule: FUSE_LAYER_NORM,
    needsFix: true,
  },
];

function feedsFor(model: Model, f: Fixture): Record<string, ort.Tensor> {
  const lengths = Array.from({ length: f.batch }, (_, b) => (b === 0 ? f.seq : Math.max(2, f.seq - 3 * b)));
  const feeds: Record<string, ort.Tensor> = {};
  for (const v of model.graph.inputs) {
    if (v.isInitializer) continue;
    const dtype = v.dtype === 'int32' ? 'int32' : 'int64';
    const n = v.name.toLowerCase();
    if (n.includes('mask')) feeds[v.name] = paddingMask(lengths, f.seq, dtype);
    else if (n.includes('type') || n.includes('segment')) feeds[v.name] = segmentIds(lengths, f.seq, dtype);
    else feeds[v.name] = tokenIds(lengths, f.seq, f.vocab, 23, dtype);
  }
  return feeds;
}

/** The report in a short form for the test log. */
function summary(r: NoModelRewriteReport): string {
  const fired = Object.entries(r.rules)
    .filter(([, o]) => o.fired > 0)
    .map(([k, o]) => `${k} ${o.fired}`);
  return `${r.nodesBefore} -> ${r.nodesAfter} nodes in ${r.rounds} rounds; fired: ${fired.join(', ')}; removed: ${JSON.stringify(r.removedOps)}; added: ${JSON.stringify(r.addedOps)}`;
}

describe('noModelRewrite on real exports', () => {
  for (const f of FIXTURES)
    it(f.name, async () => {
      const bytes = readFileSync(f.path);
      const source = readModel(bytes);
      if (f.needsFix) runPasses(source, [fixConcatScalarsPass, constantFoldingPass()], { verify: true });
      const model = readModel(bytes);
      const report = noModelRewrite(model);
      console.log(`${f.name}: ${summary(report)}`);

      // Rules fired once per layer (LayerNorm and GELU also in heads), nothing refused.
      expect(report.rules[SHARED_MASK_BIAS]!.fired).toBe(f.layers);
      expect(report.rules[FOLD_ATTENTION_SCALE]!.fired).toBe(f.layers);
      expect(report.rules[f.layerNormRule]!.fired).toBe(f.layerNorms);
      expect(report.rules[FUSE_GELU_ERF]!.fired).toBe(f.gelus);
      for (const [rule, o] of Object.entries(report.rules)) expect(o.rejected, rule).toEqual({});
      expect(countOps(model, 'LayerNormalization')).toBe(f.layerNorms);
      expect(countOps(model, 'Gelu', 'com.microsoft')).toBe(f.gelus);
      for (const op of ['Erf', 'Sqrt', 'ReduceMean', 'Pow', 'Reciprocal', 'Div'])
        expect(countOps(model, op), op).toBe(0);
      expect(report.removedOps.ReduceMean).toBe(2 * f.layerNorms);
      expect(report.addedOps).toEqual({ LayerNormalization: f.layerNorms, 'com.microsoft:Gelu': f.gelus });
      expect(report.regions).toEqual({ status: 'tagged', tagged: model.graph.nodes.length, untagged: 0 });
      // One mask computation: the mask input feeds only the shared bias, which every layer adds.
      const maskInput = model.graph.inputs.find((v) => v.name.includes('mask'))!;
      expect(model.graph.consumers(maskInput).map((n) => n.opType)).toEqual(['Cast']);
      const biases = model.graph.nodes
        .filter((n) => n.opType === 'Softmax' && n.input(0)!.producer!.opType === 'Add')
        .map((s) =>
          s.input(0)!.producer!.inputs.find((v) => v!.producer?.metadata.get('rule') === SHARED_MASK_BIAS),
        );
      expect(biases.filter((b) => b !== undefined)).toHaveLength(f.layers);
      expect(new Set(biases).size).toBe(1);

      // Numbers: same outputs as the source on padded seeded inputs.
      const feeds = feedsFor(model, f);
      const before = await run(writeModel(source), feeds);
      const after = await run(model, feeds);
      for (const name of Object.keys(before)) {
        if (f.float16) expect(maxRelDiff(after[name]!, before[name]!, 1e-2), name).toBeLessThanOrEqual(1e-2);
        else expect(maxAbsDiff(after[name]!, before[name]!), name).toBeLessThanOrEqual(1e-4);
      }

      // And the outputs the exporter recorded.
      if (f.testData) {
        const { feeds: tdFeeds, expected } = testDataSet(f.testData);
        const got = await run(model, tdFeeds);
        for (const [name, want] of Object.entries(expected))
          expect(maxAbsDiff(got[name]!, want), name).toBeLessThanOrEqual(1e-4);
      }
    });
});
