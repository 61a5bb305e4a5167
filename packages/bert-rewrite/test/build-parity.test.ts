// Numeric parity of buildNeuronBert with the exporter-shaped models of @bert-neuron/bert-models:
// same canonical weights, the source's signature (input names and dtypes, dims, output names) and
// GELU form, same seeded inputs with padding; both run through onnxruntime-node with graph
// optimizations off. All positions are compared, padded ones included: the mask only hides keys,
// so a padded query row attends to the real tokens in both models, and whether a masked key gets
// -10000 (ours, google-research) or finfo.min (transformers) its weight underflows to exactly 0.
import {
  BERT_PRESETS,
  type BertFlavor,
  type BertHead,
  type BertPresetName,
  generateBert,
  generateBertWeights,
  headHasPooler,
} from '@bert-neuron/bert-models';
import { type Model, verifyModel } from '@bert-neuron/graph-ir';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildNeuronBert } from '../src/build/build-neuron-bert.js';
import type {
  NeuronBertIdsDtype,
  NeuronBertInput,
  NeuronBertOptions,
  NeuronBertOutput,
  NeuronBertOutputRole,
} from '../src/build/neuron-bert-options.js';
import { bertFeeds, maxAbs, maxAbsDiff, runModel } from './build-support.js';

const TOLERANCE = 1e-4;
const BATCH = 3;
/** tf-google inputs have a fixed sequence; hf-torch ones are dynamic (run at this length). */
const SEQUENCE = 24;
const HEADS: readonly BertHead[] = ['sequence-classification', 'question-answering', 'encoder'];
const FLAVORS: readonly BertFlavor[] = ['hf-torch', 'tf-google'];
const PRESETS: readonly BertPresetName[] = ['tiny', 'mini'];

/** Which input of a source model is which, by the exporters' names. */
function inputRole(name: string): 'ids' | 'mask' | 'types' {
  const n = name.toLowerCase();
  if (n.includes('mask')) return 'mask';
  if (n.includes('type') || n.includes('segment')) return 'types';
  return 'ids';
}

/** The role of a source output, by the exporters' names (the head's roles in order otherwise). */
function outputRole(head: BertHead, name: string, index: number): NeuronBertOutputRole {
  const n = name.toLowerCase();
  if (head === 'sequence-classification') return n.includes('prob') ? 'probabilities' : 'logits';
  if (head === 'question-answering')
    return n.includes('start')
      ? 'start_logits'
      : n.includes('end')
        ? 'end_logits'
        : index === 0
          ? 'start_logits'
          : 'end_logits';
  return n.includes('pool') ? 'pooler_output' : 'last_hidden_state';
}

/** Our options with the source model's signature, as the model path's extraction reads it. */
function signatureOf(source: Model, head: BertHead): Omit<NeuronBertOptions, 'gelu'> {
  const g = source.graph;
  const inputs = g.inputs.filter((v) => !v.isInitializer);
  const find = (role: 'ids' | 'mask' | 'types'): NeuronBertInput | null => {
    const v = inputs.find((i) => inputRole(i.name) === role);
    return v ? { name: v.name, dtype: v.dtype as NeuronBertIdsDtype } : null;
  };
  const ids = inputs.find((i) => inputRole(i.name) === 'ids')!;
  const [batch, sequence] = ids.shape!;
  const outputs: NeuronBertOutput[] = g.outputs.map((v, i) => ({
    role: outputRole(head, v.name, i),
    name: v.name,
  }));
  return {
    head,
    inputIds: find('ids')!,
    attentionMask: find('mask'),
    tokenTypeIds: find('types'),
    batch: typeof batch === 'number' ? batch : typeof batch === 'string' ? batch : 'batch',
    sequence: typeof sequence === 'number' ? sequence : typeof sequence === 'string' ? sequence : 'sequence',
    outputs,
  };
}

describe('buildNeuronBert matches the exporter-shaped models (onnxruntime, max abs error <= 1e-4)', () => {
  for (const preset of PRESETS)
    for (const flavor of FLAVORS)
      for (const head of HEADS)
        it(`${preset} ${flavor} ${head}`, async () => {
          const config = BERT_PRESETS[preset];
          const seed = 11;
          const weights = generateBertWeights(config, {
            seed,
            pooler: headHasPooler(head, flavor),
            classifierLabels: head === 'sequence-classification' ? 3 : 0,
            questionAnswering: head === 'question-answering',
          });
          const source = generateBert({
            config,
            flavor,
            head,
            seed,
            weights,
            ...(head === 'sequence-classification' ? { numLabels: 3 } : {}),
            ...(flavor === 'tf-google' ? { sequenceLength: SEQUENCE } : {}),
          });
          const gelu = flavor === 'hf-torch' ? 'erf' : 'tanh';
          const signature = signatureOf(source, head);
          const ours = buildNeuronBert(config, weights, { ...signature, gelu });
          verifyModel(ours);
          // The inputs the source reads: tf-google's serving signature also has label_ids and
          // is_real_example, which no node reads and the built model leaves out.
          expect(ours.graph.inputs.map((v) => [v.name, v.dtype])).toEqual(
            source.graph.inputs
              .filter((v) => !v.isInitializer && v.uses.length > 0)
              .map((v) => [v.name, v.dtype]),
          );
          expect(ours.graph.outputs.map((v) => v.name)).toEqual(source.graph.outputs.map((v) => v.name));

          const { feeds } = bertFeeds({
            batch: BATCH,
            sequence: SEQUENCE,
            vocab: config.vocabSize,
            seed: 5,
            ids: signature.inputIds!.name,
            ...(signature.attentionMask ? { mask: signature.attentionMask.name } : {}),
            ...(signature.tokenTypeIds ? { types: signature.tokenTypeIds.name } : {}),
            dtype: signature.inputIds!.dtype,
          });
          // The source's unread [batch] inputs still need feeds.
          for (const v of source.graph.inputs)
            if (
              !v.isInitializer &&
              feeds[v.name] === undefined &&
              v.dtype === 'int32' &&
              v.shape?.length === 1
            )
              feeds[v.name] = new ort.Tensor('int32', new Int32Array(BATCH), [BATCH]);
          const expected = await runModel(source, feeds);
          const actual = await runModel(ours, feeds);
          const errors: Record<string, number> = {};
          for (const name of Object.keys(expected)) {
            errors[name] = maxAbsDiff(expected[name]!, actual[name]!);
            // The outputs are not degenerate: the error is small next to the values.
            expect(maxAbs(expected[name]!)).toBeGreaterThan(0.1);
          }
          console.info(`${preset} ${flavor} ${head}: max abs error ${JSON.stringify(errors)}`);
          for (const [name, e] of Object.entries(errors)) expect(e, name).toBeLessThanOrEqual(TOLERANCE);
        });
});
