// noModelRewrite's options and edges: idempotence, switching rules off, the GELU target at opset
// 20, the region-tagging seam (detect, a RegionSource, off) and a graph that is not a BERT.
import { BERT_PRESETS, generateBert } from '@bert-neuron/bert-models';
import { attr, type Model, type Node, readModel, writeModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import type { NodeRegion } from '../src/detect/node-regions.js';
import { noModelRewrite } from '../src/no-model/no-model-rewrite.js';
import { META, regionOf } from '../src/regions.js';
import {
  countOps,
  floats,
  maxAbsDiff,
  paddingMask,
  run,
  segmentIds,
  TestGraph,
  tokenIds,
} from './rules-support.js';

const LENGTHS = [10, 6, 2];
const SEQ = 10;

function tinyHfTorch(opset = 14): Model {
  return readModel(writeModel(generateBert({ config: BERT_PRESETS.tiny, opset, dropout: true, seed: 3 })));
}

const feeds = () => ({
  input_ids: tokenIds(LENGTHS, SEQ, 100, 5),
  attention_mask: paddingMask(LENGTHS, SEQ),
  token_type_ids: segmentIds(LENGTHS, SEQ),
});

describe('noModelRewrite options', () => {
  it('is idempotent: a second run (after a write/read round trip) changes nothing', () => {
    const model = tinyHfTorch();
    noModelRewrite(model);
    const again = readModel(writeModel(model));
    const nodes = again.graph.nodes.length;
    const report = noModelRewrite(again);
    expect(report.nodesAfter).toBe(nodes);
    for (const [rule, o] of Object.entries(report.rules)) {
      expect(o.fired, rule).toBe(0);
      expect(o.rejected, rule).toEqual({});
    }
  });

  it('with every rewrite rule off only cleans up (Dropout, dead nodes), numerically the same', async () => {
    const source = tinyHfTorch(14);
    const model = readModel(writeModel(source));
    const report = noModelRewrite(model, {
      maskBias: false,
      foldScale: false,
      fuseLayerNorm: false,
      gelu: false,
    });
    expect(Object.keys(report.rules)).not.toContain('shared-mask-bias');
    expect(report.removedOps.Dropout).toBe(8);
    expect(countOps(model, 'Erf')).toBe(2);
    expect(countOps(model, 'ReduceMean')).toBe(10);
    expect(countOps(model, 'Div')).toBe(countOps(source, 'Div'));
    const before = await run(source, feeds());
    const after = await run(model, feeds());
    expect(maxAbsDiff(after.logits!, before.logits!)).toBe(0);
  });

  it('fuses GELU into ai.onnx Gelu at opset 20 and ONNX Runtime gives the same numbers', async () => {
    const source = tinyHfTorch(17);
    source.opsetImports.set('', 20);
    source.irVersion = 9;
    const model = readModel(writeModel(source));
    const report = noModelRewrite(model);
    expect(report.rules['fuse-gelu-erf']!.fired).toBe(2);
    expect(countOps(model, 'Gelu')).toBe(2);
    expect(model.opset('com.microsoft')).toBeUndefined();
    const before = await run(source, feeds());
    const after = await run(model, feeds());
    expect(maxAbsDiff(after.logits!, before.logits!)).toBeLessThanOrEqual(1e-5);
  });

  it('tags regions from a RegionSource, or not at all', () => {
    const model = tinyHfTorch();
    const seen: number[] = [];
    const source = (m: Model): Map<Node, NodeRegion> => {
      seen.push(m.graph.nodes.length);
      return new Map(m.graph.nodes.map((n) => [n, { region: 'head' as const }]));
    };
    const report = noModelRewrite(model, { regions: source });
    expect(seen).toEqual([model.graph.nodes.length]);
    expect(report.regions).toEqual({ status: 'tagged', tagged: model.graph.nodes.length, untagged: 0 });
    expect(
      model.graph.nodes.every((n) => regionOf(n) === 'head' && n.metadata.get(META.placement) === 'device'),
    ).toBe(true);
    const plain = tinyHfTorch();
    expect(noModelRewrite(plain, { regions: false }).regions).toEqual({ status: 'skipped' });
    expect(plain.graph.nodes.some((n) => n.metadata.has(META.region))).toBe(false);
  });

  it('rewrites a graph that is not a BERT and reports why it has no regions', async () => {
    const g = new TestGraph(13);
    const x = g.input('x', 'float32', ['batch', 8]);
    g.input('unused', 'int64', ['batch']);
    const h = g.op('Dropout', [g.op('Relu', [g.op('MatMul', [x, g.weight('w', [8, 8], 1)])])]);
    const cube = g.op('Mul', [g.op('Mul', [h, h]), h]);
    const inner = g.op('Add', [h, g.op('Mul', [cube, g.scalar(0.044715)])]);
    const t = g.op('Tanh', [g.op('Mul', [inner, g.scalar(Math.sqrt(2 / Math.PI))])]);
    const y = g.op('Mul', [g.op('Mul', [h, g.scalar(0.5)]), g.op('Add', [t, g.scalar(1)])]);
    g.output(g.op('Cast', [g.op('Cast', [y], { to: attr.int(11) })], { to: attr.int(1) }), 'y');
    const bytes = writeModel(g.model);
    const report = noModelRewrite(g.model);
    expect(report.regions).toMatchObject({ status: 'failed', code: 'BRW_ERR_NOT_BERT' });
    expect(report.removedInputs).toEqual(['unused']);
    expect(report.rules['fuse-gelu-tanh']!.fired).toBe(1);
    expect(report.rules['cancel-cast-pair']!.fired).toBe(1);
    expect(report.removedOps).toMatchObject({ Dropout: 1, Cast: 2, Tanh: 1 });
    const f = { x: floats([3, 8], 4) };
    const before = await run(bytes, { ...f, unused: tokenIds([1, 1, 1], 1, 2, 1).reshape([3]) });
    const after = await run(g.model, f);
    expect(maxAbsDiff(after.y!, before.y!)).toBeLessThanOrEqual(1e-5);
  });
});
