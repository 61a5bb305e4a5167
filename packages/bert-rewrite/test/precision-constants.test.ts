// Precision details on small hand-tagged graphs and on a BERT with a finfo.min mask: FP16
// constants clamped, constants shared between FP16 and FP32 readers copied, Cast/ConstantOfShape
// retyped, cast chains shortened, ops without FP16 kept in FP32, fully padded rows finite.
import { TORCH_FLOAT32_MIN } from '@bert-neuron/bert-models';
import { attr, type Graph, Model, Tensor, type Value, verifyModel } from '@bert-neuron/graph-ir';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { BertRewriteError } from '../src/errors.js';
import { applyPrecision } from '../src/precision/apply-precision.js';
import { MASK_BIAS_FLOOR } from '../src/precision/convert-float-types.js';
import type { PrecisionPolicy } from '../src/precision/precision-policy.js';
import { type BertRegion, tagNode } from '../src/regions.js';
import { allFinite, paddedFeeds, relativeError, run, taggedBert } from './precision-support.js';

function op(
  g: Graph,
  region: BertRegion,
  opType: string,
  inputs: Value[],
  extra: Partial<Parameters<Graph['addNode']>[0]> = {},
): Value {
  return tagNode(g.addNode({ opType, inputs, ...extra }), region).out;
}

const floats = (dims: number[], values: number[]) =>
  new ort.Tensor('float32', Float32Array.from(values), dims);

describe('FP16 constants', () => {
  it('clamps a finfo.min-style constant to -65504 (not -inf) and keeps the graph output float32', async () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [2, 4]);
    const c = g.addInitializer('c', Tensor.float32([4], [-3.4028234663852886e38, 1e5, -7e4, 0.5]));
    const scores = op(g, 'attention', 'Add', [x, c]);
    g.addOutput(
      op(g, 'attention', 'Softmax', [scores], { outputs: ['probs'], attributes: { axis: attr.int(-1) } }),
    );
    const reference = await run(m, { x: floats([2, 4], [1, 2, 3, 4, -1, 0, 1, 2]) });
    const stats = applyPrecision(m, 'mixed');
    verifyModel(m);
    const t = g.value('c').initializer!;
    expect(t.dtype).toBe('float16');
    expect(t.toNumbers()).toEqual([-65504, 65504, -65504, 0.5]);
    expect(stats.clampedElements).toBe(3);
    expect(g.outputs.map((v) => [v.name, v.dtype])).toEqual([['probs', 'float32']]);
    expect(g.inputs.map((v) => [v.name, v.dtype])).toEqual([['x', 'float32']]);
    // x -> FP16 on the way in, probs -> FP32 on the way out.
    expect(stats.castsInserted).toBe(2);
    const out = await run(m, { x: floats([2, 4], [1, 2, 3, 4, -1, 0, 1, 2]) });
    expect(allFinite(out.probs!)).toBe(true);
    expect(relativeError(out.probs!, reference.probs!)).toBeLessThanOrEqual(1e-3);
  });

  it('gives a constant read by FP16 and FP32 nodes one copy per type, initializers and Constant nodes alike', async () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [3]);
    const half = g.addInitializer('half', Tensor.float32([], [0.5]));
    const two = tagNode(
      g.addNode({
        opType: 'Constant',
        inputs: [],
        outputs: ['two'],
        attributes: { value_float: attr.float(2) },
      }),
      'attention',
    ).out;
    const three = tagNode(
      g.addNode({
        opType: 'Constant',
        inputs: [],
        outputs: ['three'],
        attributes: { value: attr.tensor(Tensor.float32([], [3])) },
      }),
      'attention',
    ).out;
    const a = op(g, 'attention', 'Mul', [op(g, 'attention', 'Mul', [x, half]), two]); // FP16
    const b = op(g, 'layernorm', 'Mul', [op(g, 'layernorm', 'Mul', [x, half]), two]); // FP32
    const c = op(g, 'attention', 'Add', [a, three]); // FP16, only reader of `three`
    g.addOutput(op(g, 'head-output', 'Add', [b, c], { outputs: ['y'] }));
    const feeds = { x: floats([3], [1, -2, 3]) };
    const reference = await run(m, feeds);
    const stats = applyPrecision(m, 'mixed');
    verifyModel(m);
    expect(g.value('half').dtype).toBe('float32');
    expect(g.value('half_fp16').initializer!.dtype).toBe('float16');
    expect(g.value('two').dtype).toBe('float32');
    expect(g.value('two_fp16').producer!.opType).toBe('Constant');
    // `three` only had an FP16 reader: its copy took the name.
    expect(g.value('three').dtype).toBe('float16');
    expect(g.value('three').producer!.getAttribute('value')).toMatchObject({ type: 'tensor' });
    expect(stats.constantsConverted).toBe(3);
    const out = await run(m, feeds);
    expect(out.y!.data).toEqual(reference.y!.data);
  });
});

describe('types of op attributes and existing casts', () => {
  it('retypes a Cast inside an FP16 region, a ConstantOfShape value, and shortens Cast chains', async () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const ids = g.addInput('ids', 'int64', [2, 3]);
    const asFloat = op(g, 'embeddings', 'Cast', [ids], { attributes: { to: attr.int(1) } }); // FP32, feeds FP16
    const inFp16 = op(g, 'attention', 'Cast', [ids], { attributes: { to: attr.int(1) } }); // becomes to=float16
    const zeros = op(
      g,
      'attention',
      'ConstantOfShape',
      [g.addInitializer('shape', Tensor.int64([2], [2, 3]))],
      {
        attributes: { value: attr.tensor(Tensor.float32([1], [0.25])) },
      },
    );
    const sum = op(g, 'attention', 'Add', [op(g, 'attention', 'Mul', [asFloat, inFp16]), zeros]);
    g.addOutput(op(g, 'head-output', 'Identity', [sum], { outputs: ['y'] }));
    const feeds = { ids: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n]), [2, 3]) };
    const reference = await run(m, feeds);
    applyPrecision(m, 'mixed');
    verifyModel(m);
    const casts = g.nodes.filter((n) => n.opType === 'Cast');
    // int64 -> float32 -> float16 became int64 -> float16 (the FP32 Cast had no other reader and
    // went); the FP16 region's own Cast now casts to float16; one Cast back to float32 for y.
    expect(casts.map((n) => [n.input(0)!.name, n.attrInt('to')])).toEqual([
      ['ids', 10],
      ['ids', 10],
      [casts[2]!.input(0)!.name, 1],
    ]);
    for (const n of casts) expect(n.input(0)!.producer?.opType).not.toBe('Cast');
    expect(g.nodes.find((n) => n.opType === 'ConstantOfShape')!.getAttribute('value')).toMatchObject({
      value: { dtype: 'float16' },
    });
    const out = await run(m, feeds);
    expect(out.y!.data).toEqual(reference.y!.data);
  });

  it('keeps an op without FP16 support in FP32 inside an FP16 region', async () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [2, 4]);
    const w = g.addInitializer(
      'w',
      Tensor.float32(
        [4, 4],
        Array.from({ length: 16 }, (_, i) => (i % 5) / 4),
      ),
    );
    const product = op(g, 'attention', 'MatMul', [x, w]);
    const hard = op(g, 'attention', 'Hardmax', [product]);
    g.addOutput(op(g, 'attention', 'Mul', [hard, product], { outputs: ['y'] }));
    applyPrecision(m, 'mixed');
    verifyModel(m);
    const hardmax = g.nodes.find((n) => n.opType === 'Hardmax')!;
    expect(hardmax.input(0)!.dtype).toBe('float32');
    expect(hardmax.output(0)!.dtype).toBe('float32');
    expect(g.nodes.find((n) => n.opType === 'MatMul')!.output(0)!.dtype).toBe('float16');
    const out = await run(m, { x: floats([2, 4], [1, 2, 3, 4, 4, 3, 2, 1]) });
    expect(allFinite(out.y!)).toBe(true);
  });
});

describe('the attention mask in FP16', () => {
  for (const opset of [10, 17])
    it(`saturates a mask bias before its FP16 cast (opset ${opset}: Clip ${opset < 11 ? 'attributes' : 'inputs'})`, async () => {
      const m = new Model({ opset });
      const g = m.graph;
      const mask = g.addInput('mask', 'float32', [2, 3]);
      const scores = g.addInput('scores', 'float32', [2, 3]);
      const inverted = op(g, 'mask', 'Sub', [g.addInitializer('one', Tensor.float32([], [1])), mask]);
      const bias = op(g, 'mask', 'Mul', [
        inverted,
        g.addInitializer('min', Tensor.float32([], [TORCH_FLOAT32_MIN])),
      ]);
      const masked = op(g, 'attention', 'Add', [scores, bias]);
      g.addOutput(
        op(g, 'attention', 'Softmax', [masked], { outputs: ['p'], attributes: { axis: attr.int(-1) } }),
      );
      const stats = applyPrecision(m, 'mixed');
      verifyModel(m);
      expect(stats.saturations).toBe(1);
      const clip = g.nodes.find((n) => n.opType === 'Clip')!;
      if (opset < 11) expect(clip.attrFloat('min')).toBe(MASK_BIAS_FLOOR);
      else expect(clip.input(1)!.initializer!.toNumbers()).toEqual([MASK_BIAS_FLOOR]);
      const out = await run(m, {
        mask: floats([2, 3], [1, 1, 0, 0, 0, 0]),
        scores: floats([2, 3], [-30, 2, 3, -30, -25, 1]),
      });
      expect(allFinite(out.p!)).toBe(true);
      expect(out.p!.data[2]).toBe(0);
    });

  it('a BERT with a finfo.min mask: finite outputs on a fully padded row, an FP16 bias of -10000 not -inf', async () => {
    const make = () => {
      const { config, model } = taggedBert('tiny', { seed: 5 });
      const value = model.graph.value('mask/value');
      model.graph.setInitializer(value, Tensor.float32([], [TORCH_FLOAT32_MIN]));
      return { config, model };
    };
    const { config, model: reference } = make();
    const feeds = paddedFeeds(3, 12, config.vocabSize, { seed: 2, emptyRow: true });
    const expected = await run(reference, feeds);
    const { model } = make();
    applyPrecision(model, 'mixed');
    verifyModel(model);
    const out = await run(model, feeds);
    for (const [name, o] of Object.entries(out)) {
      expect(allFinite(o), name).toBe(true);
      // Real rows match; the fully padded row attends uniformly in FP32 (finfo.min swamps the
      // scores) but by the scores with a -10000 bias, so it is only checked finite.
      expect(relativeError(o, expected[name]!, [0, 1]), name).toBeLessThanOrEqual(1e-2);
    }
    // The FP16 bias every layer adds, as a runtime that computes in FP16 sees it (onnxruntime on
    // x86 drops a Cast to FP16 that only feeds ops it runs in FP32, so it is made an output here).
    const biasOf = async (m: Model) => {
      const v = m.graph.value('mask/attention_bias_fp16');
      m.graph.addOutput(v);
      return (await run(m, feeds))['mask/attention_bias_fp16']!;
    };
    const bias = await biasOf(model);
    expect(bias.type).toBe('float16');
    expect(Math.min(...bias.data)).toBe(MASK_BIAS_FLOOR);
    expect(allFinite(bias)).toBe(true);
    // Without the saturation the cast makes -inf, and softmax over a row of -inf is NaN.
    const clip = model.graph.nodes.find((n) => n.opType === 'Clip')!;
    clip.out.uses[0]!.node.setInput(0, clip.input(0));
    model.graph.removeNode(clip);
    expect(Math.min(...(await biasOf(model)).data)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('applyPrecision errors', () => {
  it('rejects an unknown policy with BRW_ERR_OPTION', () => {
    const { model } = taggedBert('tiny');
    expect(() => applyPrecision(model, 'fp8' as PrecisionPolicy)).toThrow(
      expect.objectContaining({ code: 'BRW_ERR_OPTION' }) as unknown as BertRewriteError,
    );
  });
});
