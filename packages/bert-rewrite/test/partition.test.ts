// Placement and partitioning: host (embeddings, mask) then device (encoder, head) gives exactly
// the whole model's outputs through onnxruntime, for FP32, mixed and int8 models.
import { attr, type Graph, Model, Tensor, type Value, verifyModel } from '@bert-neuron/graph-ir';
import type ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { assignPlacement } from '../src/placement/assign-placement.js';
import { PARTITION_METADATA_KEY, partition } from '../src/placement/partition.js';
import { applyPrecision } from '../src/precision/apply-precision.js';
import { type BertRegion, META, placementOf, regionOf, tagNode } from '../src/regions.js';
import { paddedFeeds, runRaw, taggedBert } from './precision-support.js';

const expectPartitionError = (fn: () => unknown, message: RegExp) =>
  expect(fn).toThrow(
    expect.objectContaining({ code: 'BRW_ERR_PARTITION', message: expect.stringMatching(message) }),
  );

async function expectSameOutputs(model: Model, feeds: Record<string, ort.Tensor>): Promise<void> {
  const parts = partition(model);
  verifyModel(parts.host);
  verifyModel(parts.device);
  const whole = await runRaw(model, feeds);
  const host = await runRaw(parts.host, feeds);
  const device = await runRaw(parts.device, { ...feeds, ...host });
  expect(Object.keys(device).sort()).toEqual(Object.keys(whole).sort());
  for (const [name, t] of Object.entries(whole)) {
    expect(device[name]!.type, name).toBe(t.type);
    expect(device[name]!.dims, name).toEqual(t.dims);
    expect(Array.from(device[name]!.data as Float32Array), name).toEqual(Array.from(t.data as Float32Array));
  }
}

describe('partition of a BERT into host and device', () => {
  it('splits at the embeddings and the mask bias; host then device is exactly the whole model', async () => {
    const { config, model } = taggedBert('tiny', { batch: 3, sequence: 16 });
    const placed = assignPlacement(model);
    // Host: word and token-type Gathers, two Adds, the position Slice, the LayerNorm, the Reshape
    // to [B*S, H]; the mask's Cast, Sub, Mul, Reshape. Static dims: no shape arithmetic.
    expect(placed).toEqual({ host: 11, device: model.graph.nodes.length - 11, inherited: 0 });
    for (const n of model.graph.nodes) expect(placementOf(n), n.describe()).toBeDefined();
    const parts = partition(model);
    expect(parts.boundary).toEqual([
      { name: 'embeddings/Reshape:0', dtype: 'float32', shape: [48, 128] },
      { name: 'mask/attention_bias', dtype: 'float32', shape: [3, 1, 1, 16] },
    ]);
    const io = (m: Model) => [m.graph.inputs.map((v) => v.name), m.graph.outputs.map((v) => v.name)];
    expect(io(parts.host)).toEqual([
      ['input_ids', 'attention_mask', 'token_type_ids'],
      ['embeddings/Reshape:0', 'mask/attention_bias'],
    ]);
    expect(io(parts.device)).toEqual([
      ['embeddings/Reshape:0', 'mask/attention_bias'],
      ['logits', 'probabilities'],
    ]);
    expect(parts.host.graph.nodes.length + parts.device.graph.nodes.length).toBe(model.graph.nodes.length);
    expect(parts.host.graph.nodes.every((n) => n.metadata.get(META.placement) === 'host')).toBe(true);
    expect(parts.device.graph.nodes.every((n) => n.metadata.get(META.placement) === 'device')).toBe(true);
    expect([
      parts.host.metadata.get(PARTITION_METADATA_KEY),
      parts.device.metadata.get(PARTITION_METADATA_KEY),
    ]).toEqual(['host', 'device']);
    expect([...parts.device.opsetImports]).toEqual([...model.opsetImports]);
    // Weights are shared, not copied.
    const table = 'embeddings/word_embeddings/table';
    expect(parts.host.graph.value(table).initializer).toBe(model.graph.value(table).initializer);
    const kernel = 'encoder/layer_0/attention/query/kernel';
    expect(parts.device.graph.value(kernel).initializer).toBe(model.graph.value(kernel).initializer);
    expect(parts.host.graph.lookup(kernel)).toBeUndefined();
    await expectSameOutputs(model, paddedFeeds(3, 16, config.vocabSize, { emptyRow: true }));
  });

  it('hands dynamic-shape tensors across too (symbolic batch and sequence)', async () => {
    const { config, model } = taggedBert('tiny', { head: 'question-answering' });
    assignPlacement(model);
    const parts = partition(model);
    expect(parts.boundary.map((b) => [b.name, b.dtype])).toEqual([
      ['embeddings/Reshape:0', 'float32'],
      ['shapes/batch_sequence_heads_head_size/Concat:0', 'int64'],
      ['mask/attention_bias', 'float32'],
      ['shapes/batch_sequence_2/Concat:0', 'int64'],
    ]);
    expect(parts.boundary[2]!.shape).toEqual(['batch', 1, 1, 'sequence']);
    await expectSameOutputs(model, paddedFeeds(2, 24, config.vocabSize));
  });

  for (const policy of ['mixed', 'aggressive', 'int8'] as const)
    it(`works on ${policy} models (precision casts placed with their readers)`, async () => {
      const { config, model } = taggedBert('mini', { batch: 2, sequence: 16 });
      applyPrecision(model, policy);
      expect(assignPlacement(model).inherited).toBe(0);
      const parts = partition(model);
      // The boundary stays FP32: the casts into FP16 run on the device.
      expect(parts.boundary.map((b) => [b.name, b.dtype])).toEqual([
        ['embeddings/Reshape:0', 'float32'],
        ['mask/attention_bias', 'float32'],
      ]);
      for (const n of parts.device.graph.nodes) expect(regionOf(n), n.describe()).not.toBe('mask');
      await expectSameOutputs(model, paddedFeeds(2, 16, config.vocabSize, { emptyRow: true }));
    });
});

function tagged(
  g: Graph,
  region: BertRegion | null,
  opType: string,
  inputs: Value[],
  attributes = {},
): Value {
  const n = g.addNode({ opType, inputs, attributes, name: `${region ?? 'untagged'}/${opType}` });
  if (region !== null) tagNode(n, region);
  return n.out;
}

describe('assignPlacement', () => {
  it('places untagged nodes by their inputs and readers, never on the host after the device', () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const ids = g.addInput('ids', 'int64', [2, 3]);
    const table = g.addInitializer('table', Tensor.float32([10, 4], new Array(40).fill(0.1)));
    const shape = tagged(g, null, 'Shape', [ids]); // host: a host node reads it (below), device too
    const emb = tagged(g, 'embeddings', 'Gather', [table, ids], { axis: attr.int(0) });
    const hostReshape = tagged(g, 'embeddings', 'Reshape', [
      emb,
      tagged(g, null, 'Concat', [shape, g.addInitializer('four', Tensor.int64([1], [4]))], {
        axis: attr.int(0),
      }),
    ]);
    const deviceOnly = tagged(g, null, 'Identity', [
      g.addInitializer('w', Tensor.float32([4, 4], new Array(16).fill(0.5))),
    ]);
    const dense = tagged(g, 'attention', 'MatMul', [hostReshape, deviceOnly]);
    const readsDevice = tagged(g, null, 'Relu', [dense]);
    const sizeOfShape = tagged(g, null, 'Size', [shape]); // only a device node reads it
    const out = tagged(g, 'head', 'Reshape', [
      readsDevice,
      tagged(g, null, 'Concat', [shape, g.addInitializer('four2', Tensor.int64([1], [4]))], {
        axis: attr.int(0),
      }),
    ]);
    g.addOutput(out);
    g.addOutput(tagged(g, 'head-output', 'Cast', [sizeOfShape], { to: attr.int(1) }));
    const result = assignPlacement(m);
    const where = (v: Value) => placementOf(v.producer!);
    expect([
      where(shape),
      where(hostReshape),
      where(deviceOnly),
      where(readsDevice),
      where(sizeOfShape),
    ]).toEqual(['host', 'host', 'device', 'device', 'device']);
    expect(result.inherited).toBe(6);
    // Host Concat (read by the host Reshape) vs device Concat (read by the head Reshape).
    const concats = g.nodes.filter((n) => n.opType === 'Concat').map((n) => placementOf(n));
    expect(concats).toEqual(['host', 'device']);
    const parts = partition(m);
    expect(parts.boundary.map((b) => b.name)).toEqual(['embeddings/Reshape_out', shape.name]);
    expect(parts.device.graph.inputs.map((v) => v.name)).toEqual(['embeddings/Reshape_out', shape.name]);
  });

  it('rejects regions that put a host node after a device one', () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [2]);
    const a = tagged(g, 'attention', 'Relu', [x]);
    g.addOutput(tagged(g, 'embeddings', 'Neg', [a]));
    expectPartitionError(() => assignPlacement(m), /runs on the host but reads/);
  });
});

describe('partition errors', () => {
  const small = () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [2]);
    const h = tagged(g, 'embeddings', 'Relu', [x]);
    g.addOutput(tagged(g, 'attention', 'Neg', [h]));
    return m;
  };

  it('a node without placement', () => {
    const m = small();
    m.graph.nodes[0]!.metadata.delete(META.placement);
    expectPartitionError(() => partition(m), /no placement.*run assignPlacement/);
  });

  it('a device -> host edge', () => {
    const m = small();
    m.graph.nodes[0]!.metadata.set(META.placement, 'device');
    m.graph.nodes[1]!.metadata.set(META.placement, 'host');
    expectPartitionError(() => partition(m), /on the host but reads/);
  });

  it('a graph output no node computes', () => {
    const m = small();
    m.graph.addOutput(m.graph.inputs[0]!);
    expectPartitionError(() => partition(m), /would be lost/);
  });

  it('a side without nodes', () => {
    const m = small();
    for (const n of m.graph.nodes) n.metadata.set(META.placement, 'device');
    expectPartitionError(() => partition(m), /no node is placed on the host/);
  });
});
