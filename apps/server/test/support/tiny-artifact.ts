// Compiles a real artifact for the server's tests with neuron-compile's compile(), the way
// `pnpm neuron-compile` does: a small BERT from bert-models (hf-torch export shape, random weights)
// with the real 30522-token uncased vocabulary, written as ONNX, compiled for batch 6 and buckets
// 16/32/64/128 in fp32 (so a direct onnxruntime computation matches the server exactly); or as
// tf2onnx exports google-research BERT (int32 inputs, a probabilities output).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BertConfig, type BertFlavor, generateBert } from '@bert-neuron/bert-models';
import { dataPath, UNCASED_VOCAB_FILE } from '@bert-neuron/bert-text';
import { writeModelFile } from '@bert-neuron/graph-ir';
import { compile } from '@bert-neuron/neuron-compile';
import type { ArtifactManifest } from '@bert-neuron/neuron-runtime';

/** BERT with the uncased vocabulary but tiny layers: 2 layers, hidden 64, positions 128. */
export const TINY_CONFIG: BertConfig = {
  vocabSize: 30522,
  hiddenSize: 64,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 256,
  maxPositionEmbeddings: 128,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};

export interface TinyArtifactOptions {
  /** Default 6 (the reference's). */
  readonly batch?: number;
  /** Default [16, 32, 64, 128]. */
  readonly buckets?: readonly number[];
  readonly seed?: number;
  readonly config?: BertConfig;
  /** Default fp32. */
  readonly precision?: 'fp32' | 'mixed';
  /** Default hf-torch (int64 inputs, logits); tf-google has int32 inputs and a probabilities output. */
  readonly flavor?: BertFlavor;
}

/** Compile the artifact into `dir` (replaced if it exists); returns its manifest. */
export async function writeTinyArtifact(
  dir: string,
  options: TinyArtifactOptions = {},
): Promise<ArtifactManifest> {
  const source = `${dir}-source`;
  mkdirSync(source, { recursive: true });
  const model = join(source, 'bert.onnx');
  writeModelFile(
    model,
    generateBert({
      config: options.config ?? TINY_CONFIG,
      seed: options.seed ?? 1,
      flavor: options.flavor ?? 'hf-torch',
    }),
  );
  try {
    const { manifest } = await compile({
      inputModel: model,
      outputDir: dir,
      batchSize: options.batch ?? 6,
      buckets: options.buckets ?? [16, 32, 64, 128],
      precision: options.precision ?? 'fp32',
      vocab: dataPath(UNCASED_VOCAB_FILE),
      verify: false,
      force: true,
    });
    return manifest;
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
}
