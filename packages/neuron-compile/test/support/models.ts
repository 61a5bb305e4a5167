// Source models for the tests: bert-models' exporter-shaped BERTs written to a temp dir, and the
// shared real fixtures (see /work/shared/data/onnx-fixtures/README.md).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERT_PRESETS, type BertFlavor, type BertHead, generateBert } from '@bert-neuron/bert-models';
import { dataPath } from '@bert-neuron/bert-text';
import { Model, Tensor, writeModel, writeModelFile } from '@bert-neuron/graph-ir';

/** A fresh temporary directory for one test file. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ncc-${prefix}-`));
}

/**
 * Weight scales of the test sources, pinned so that the tests do not move with bert-models'
 * defaults. A large query/key gain makes attention so sharp that random models turn chaotic (at
 * gain 4, onnxruntime's own graph optimizations moved BERT-base's fp32 logits by 3e-2 and FP16
 * moved them by O(1), so no precision could be verified); gain 1 gives models as well conditioned
 * as trained ones. CHAOTIC is for the test that needs a compile to miss its tolerance.
 */
export const WELL_CONDITIONED = { queryKeyGain: 1 } as const;
export const CHAOTIC = { queryKeyGain: 8 } as const;

/** Write a bert-models BERT (seeded) as an .onnx file; returns its path. */
export function bertModelFile(
  dir: string,
  preset: 'tiny' | 'mini',
  options: {
    flavor?: BertFlavor;
    head?: BertHead;
    seed?: number;
    sequenceLength?: number;
    /** CHAOTIC weights instead of WELL_CONDITIONED. */
    chaotic?: boolean;
  } = {},
): string {
  const flavor = options.flavor ?? 'hf-torch';
  const head = options.head ?? 'sequence-classification';
  const model = generateBert({
    config: BERT_PRESETS[preset],
    flavor,
    head,
    seed: options.seed ?? 3,
    ...(options.sequenceLength !== undefined ? { sequenceLength: options.sequenceLength } : {}),
    init: options.chaotic ? CHAOTIC : WELL_CONDITIONED,
  });
  const file = join(dir, `${preset}-${flavor}-${head}${options.chaotic ? '-chaotic' : ''}.onnx`);
  writeModelFile(file, model);
  return file;
}

/** Whether bert-models builds tf-google graphs yet (an empty graph means the flavor is a stub). */
export function tfGoogleAvailable(): boolean {
  try {
    const m = generateBert({ config: BERT_PRESETS.tiny, flavor: 'tf-google', sequenceLength: 16 });
    return m.graph.nodes.length > 0;
  } catch {
    return false;
  }
}

const ORT = (path: string) => dataPath('onnx-fixtures', 'onnxruntime', path);

/** The real exports bert-rewrite handles, with buckets that fit their position tables. */
export const FIXTURES = [
  {
    name: 'keras2onnx TFBertForQuestionAnswering (opset 11, static sequence 7)',
    path: ORT('bert_squad_tensorflow2.1_keras2onnx_opset11/TFBertForQuestionAnswering.onnx'),
    buckets: [8, 10],
    testData: ORT('bert_squad_tensorflow2.1_keras2onnx_opset11/test_data_set_0'),
  },
  {
    name: 'torch 1.4 BertForQuestionAnswering opset 10',
    path: ORT('bert_squad_pytorch1.4_opset10_fp32/BertForQuestionAnswering.onnx'),
    buckets: [12, 20],
    testData: null,
  },
  {
    name: 'torch 1.4 BertForQuestionAnswering opset 11 (static [1, 10])',
    path: ORT('bert_squad_pytorch1.4_opset11/BertForQuestionAnswering_0.onnx'),
    buckets: [12, 20],
    testData: ORT('bert_squad_pytorch1.4_opset11/test_data_set_0'),
  },
  {
    name: 'torch 1.4 BertForQuestionAnswering opset 11 converted to float16',
    path: ORT('bert_squad_pytorch1.4_opset11_fp16/BertForQuestionAnswering.onnx'),
    buckets: [12, 20],
    testData: null,
  },
  {
    name: 'bert_toy BertForPreTraining (opset 12, unsorted)',
    path: ORT('bert_toy/bert_toy_optimized.onnx'),
    buckets: [16],
    testData: null,
  },
] as const;

/** A valid ONNX model that is not a BERT: y = x + 1. */
export function notBertFile(dir: string): string {
  const m = new Model({ opset: 17 });
  const x = m.graph.addInput('x', 'float32', [2]);
  m.graph.addOutput(
    m.graph.addNode({ opType: 'Add', inputs: [x, m.graph.addInitializer('one', Tensor.float32([], [1]))] })
      .out,
  );
  const file = join(dir, 'add.onnx');
  writeFileSync(file, writeModel(m));
  return file;
}
