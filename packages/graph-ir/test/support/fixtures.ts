// Where the shared ONNX fixtures are, and which of them onnxruntime-node runs (see
// <data>/onnx-fixtures/README.md).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (pnpm-workspace.yaml)');
    dir = parent;
  }
}

export const REPO_ROOT = repoRoot();
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATA_DIR = process.env.BERT_NEURON_DATA ?? resolve(REPO_ROOT, '..', 'shared', 'data');
export const FIXTURES_DIR = join(DATA_DIR, 'onnx-fixtures');

const ort = (p: string) => join(FIXTURES_DIR, 'onnxruntime', p);

export const KERAS_DIR = ort('bert_squad_tensorflow2.1_keras2onnx_opset11');
export const KERAS = join(KERAS_DIR, 'TFBertForQuestionAnswering.onnx');
export const BERT_TOY = ort('bert_toy/bert_toy_optimized.onnx');
export const FP16_ORT = ort('bert_squad_pytorch1.4_opset11_fp16/BertForQuestionAnswering_ort_cpu.onnx');
export const DISTILBERT = join(FIXTURES_DIR, 'optimum/tiny-distilbert-classification/model.onnx');
export const FUSED = [
  'attention_opt',
  'attention_mha',
  'attention_with_varied_qkv_opt',
  'bert_3d_attention_opt',
  'pruned_attention_opt',
].map((n) => ort(`fused_subgraphs/${n}.onnx`));

function onnxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? onnxFiles(join(dir, e.name)) : e.name.endsWith('.onnx') ? [join(dir, e.name)] : [],
    )
    .sort();
}

/** Every .onnx file under the fixtures folder. */
export const ALL_FIXTURES = onnxFiles(FIXTURES_DIR);

/** Fixtures onnxruntime-node loads, with the vocabulary size bounding their token ids. */
export const RUNNABLE: { path: string; vocab: number }[] = [
  { path: KERAS, vocab: 20 },
  { path: BERT_TOY, vocab: 99 },
  { path: FP16_ORT, vocab: 100 },
  ...FUSED.map((path) => ({ path, vocab: 2 })),
  { path: DISTILBERT, vocab: 30522 },
];

/** A short name for test titles. */
export const fixtureName = (p: string): string => p.slice(FIXTURES_DIR.length + 1);
