import { type BertFlavor, type BertHead, generateBert, headHasPooler } from '@bert-neuron/bert-models';
import type { Model, Node } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { detectBert } from '../src/detect/detect-bert.js';
import { hfTorchCases, type MatrixCase, tfGoogleCases } from './support/model-matrix.js';

function outputRoles(head: BertHead, flavor: BertFlavor, pooler: boolean): string[] {
  if (head === 'question-answering') return ['start_logits', 'end_logits'];
  if (head === 'encoder') return pooler ? ['last_hidden_state', 'pooler_output'] : ['last_hidden_state'];
  // run_classifier's serving export outputs the softmax alone.
  return flavor === 'tf-google' ? ['probabilities'] : ['logits'];
}

function regionOfOp(model: Model, regions: Map<Node, { region: string; layer?: number }>, op: string) {
  return model.graph.nodes.filter((n) => n.opType === op).map((n) => regions.get(n));
}

function checkCase(c: MatrixCase) {
  const model = generateBert(c.options);
  const d = detectBert(model);
  const o = c.options;
  expect(d.config).toEqual(o.config);
  expect(d.headKind).toBe(o.head);
  expect(d.geluForm).toBe(c.gelu);
  expect(d.layers).toHaveLength(o.config.numHiddenLayers);
  for (const l of d.layers) {
    expect(l.attention.numHeads).toBe(o.config.numAttentionHeads);
    expect(l.attention.scoreScale).toBeCloseTo(
      1 / Math.sqrt(o.config.hiddenSize / o.config.numAttentionHeads),
      6,
    );
    expect(l.attention.maskForm).toBe('additive');
  }
  const idsDtype = o.flavor === 'hf-torch' ? 'int64' : 'int32';
  const used = d.interface.inputs.filter((i) => i.role !== 'unused');
  expect(used.map((i) => [i.role, i.dtype]).sort()).toEqual(
    [
      ['attention_mask', idsDtype],
      ['input_ids', idsDtype],
      ['token_type_ids', idsDtype],
    ].sort(),
  );
  for (const i of used) expect(i.name).toBe(model.graph.inputs.find((v) => v.name === i.name)!.name);
  if (o.flavor === 'hf-torch')
    expect(used.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
  const roles = d.interface.outputs.map((x) => x.role);
  const expected = outputRoles(o.head, o.flavor, headHasPooler(o.head, o.flavor));
  for (const r of expected) expect(roles).toContain(r);
  expect(d.interface.outputs.map((x) => x.name)).toEqual(model.graph.outputs.map((v) => v.name));
  expect(d.mask.inputs.map((v) => v.name)).toEqual([used.find((i) => i.role === 'attention_mask')!.name]);
  // every node gets a region; the anchors sit where they belong
  expect(d.unclassified).toEqual([]);
  const regions = d.nodeRegions();
  expect(regions.size).toBe(model.graph.nodes.length);
  expect(
    regionOfOp(model, regions, 'Softmax')
      .filter((r) => r?.region === 'attention')
      .map((r) => r!.layer),
  ).toEqual(d.layers.map((_, i) => i));
  const geluOp = c.gelu === 'erf' ? 'Erf' : 'Tanh';
  const ffn = regionOfOp(model, regions, geluOp).filter((r) => r?.region === 'ffn');
  expect(ffn).toHaveLength(o.config.numHiddenLayers);
  expect(
    regions.get(d.embeddings.word.nodes.find((n) => n.opType === 'Gather' || n.opType === 'MatMul')!),
  ).toEqual({
    region: 'embeddings',
  });
  for (const n of d.embeddings.layerNorm.nodes) expect(regions.get(n)?.region).toBe('embeddings-layernorm');
  for (const n of d.mask.sharedNodes) expect(regions.get(n)).toEqual({ region: 'mask' });
  for (const [i, l] of d.layers.entries()) {
    expect(regions.get(l.attention.softmax)).toEqual({ region: 'attention', layer: i });
    expect(regions.get(l.attentionOutput.matmul)).toEqual({ region: 'attention-output', layer: i });
    expect(regions.get(l.intermediate.matmul)).toEqual({ region: 'ffn', layer: i });
    expect(regions.get(l.outputResidual.node)).toEqual({ region: 'layernorm', layer: i });
  }
  if (d.head.pooler) expect(regions.get(d.head.pooler.tanh)).toEqual({ region: 'pooler' });
  if (d.head.classifier) expect(regions.get(d.head.classifier.matmul)).toEqual({ region: 'head' });
  if (d.head.questionAnswering) {
    expect(regions.get(d.head.questionAnswering.matmul)).toEqual({ region: 'head' });
    const split = model.graph.nodes.find((n) => n.opType === 'Split')!;
    expect(regions.get(split)).toEqual({ region: 'head-output' });
  }
  expect(d.notes).toEqual([]);
}

describe('detectBert on bert-models hf-torch', () => {
  for (const c of hfTorchCases()) it(c.name, () => checkCase(c));
});

describe('detectBert on bert-models tf-google', () => {
  for (const c of tfGoogleCases()) it(c.name, () => checkCase(c));
});
