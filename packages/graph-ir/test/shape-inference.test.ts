// Shape inference: symbolic shapes on small graphs, checked value by value against the tensors
// onnxruntime-node computes, then on the fixtures ORT loads.
import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import { GraphIrError } from '../src/errors.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { inferShapes, shapeInferencePass } from '../src/passes/shape-inference.js';
import { topologicalSort } from '../src/passes/topological-sort.js';
import { SeededRandom } from '../src/seeded-random.js';
import { readModel } from '../src/serde/read-model.js';
import { Tensor } from '../src/tensor.js';
import type { Value } from '../src/value.js';
import { verifyModel } from '../src/verifier.js';
import { BERT_TOY, DISTILBERT, FP16_ORT, FUSED, fixtureName, KERAS } from './support/fixtures.js';
import { seededFeeds } from './support/ort-run.js';
import { expectShapesMatchOrt } from './support/shape-check.js';

const weights = (g: Graph, name: string, dims: number[], seed: number): Value =>
  g.addInitializer(
    name,
    Tensor.from(
      'float32',
      dims,
      new SeededRandom(seed).normals(
        dims.reduce((a, b) => a * b, 1),
        0.2,
      ),
    ),
  );
const i64 = (g: Graph, name: string, v: number[], dims = [v.length]) =>
  g.addInitializer(name, Tensor.int64(dims, v));

/** A BERT-like layer in the export style of torch.onnx, opset 17, dims [batch, seq], hidden 8, 2 heads. */
function bertLayer(): Model {
  const g = new Graph('layer');
  const ids = g.addInput('input_ids', 'int64', ['batch', 'seq']);
  const mask = g.addInput('attention_mask', 'int64', ['batch', 'seq']);
  const op = (opType: string, inputs: (Value | null)[], attributes = {}, outputs = 1) =>
    g.addNode({ opType, inputs, attributes, outputs });
  const one = (opType: string, inputs: (Value | null)[], attributes = {}) =>
    op(opType, inputs, attributes).out;
  // embeddings with position ids from Range(0, seq)
  const shape = one('Shape', [ids]);
  const seq = one('Gather', [shape, i64(g, 'idx1', [1], [])], { axis: attr.int(0) });
  const pos = one('Range', [i64(g, 'zero', [0], []), seq, i64(g, 'step', [1], [])]);
  const pos2 = one('Unsqueeze', [pos, i64(g, 'ax0', [0])]);
  const posIds = one('Expand', [pos2, shape]);
  const emb = one('Add', [
    one('Gather', [weights(g, 'word', [30, 8], 1), ids]),
    one('Gather', [weights(g, 'posw', [16, 8], 2), posIds]),
  ]);
  const ln = op('LayerNormalization', [emb, weights(g, 'gamma', [8], 3), weights(g, 'beta', [8], 4)], {
    epsilon: attr.float(1e-5),
  }).out;
  // attention
  const batch = one('Gather', [one('Shape', [ln]), i64(g, 'idx0', [0], [])], { axis: attr.int(0) });
  const target = one(
    'Concat',
    [
      one('Unsqueeze', [batch, i64(g, 'ax0b', [0])]),
      one('Unsqueeze', [seq, i64(g, 'ax0c', [0])]),
      i64(g, 'heads', [2, 4]),
    ],
    {
      axis: attr.int(0),
    },
  );
  const heads = (w: string, seed: number) =>
    one(
      'Transpose',
      [
        one('Reshape', [
          one('Add', [one('MatMul', [ln, weights(g, w, [8, 8], seed)]), weights(g, `${w}_b`, [8], seed + 1)]),
          target,
        ]),
      ],
      {
        perm: attr.ints([0, 2, 1, 3]),
      },
    );
  const q = heads('wq', 10);
  const k = heads('wk', 12);
  const v = heads('wv', 14);
  const scores = one('Div', [
    one('MatMul', [q, one('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) })]),
    g.addInitializer('scale', Tensor.float32([], [2])),
  ]);
  const m = one('Cast', [one('Unsqueeze', [mask, i64(g, 'ax12', [1, 2])])], { to: attr.int(1) });
  const bias = one('Mul', [
    one('Sub', [g.addInitializer('onef', Tensor.float32([], [1])), m]),
    g.addInitializer('neg', Tensor.float32([], [-10000])),
  ]);
  const probs = one('Softmax', [one('Add', [scores, bias])], { axis: attr.int(-1) });
  const ctx = one('Transpose', [one('MatMul', [probs, v])], { perm: attr.ints([0, 2, 1, 3]) });
  const merged = one('Reshape', [ctx, i64(g, 'merge', [0, 0, -1])]);
  const drop = op('Dropout', [merged], {}, 2);
  // feed-forward with Erf GELU, then a ReduceMean-based norm
  const ff = one('MatMul', [drop.output(0)!, weights(g, 'w1', [8, 16], 20)]);
  const gelu = one('Mul', [
    one('Mul', [
      ff,
      one('Add', [
        one('Erf', [one('Div', [ff, g.addInitializer('sqrt2', Tensor.float32([], [Math.SQRT2]))])]),
        g.addInitializer('onef2', Tensor.float32([], [1])),
      ]),
    ]),
    g.addInitializer('half', Tensor.float32([], [0.5])),
  ]);
  const out = one('Add', [one('MatMul', [gelu, weights(g, 'w2', [16, 8], 21)]), ln]);
  const mean = one('ReduceMean', [out], { axes: attr.ints([-1]) });
  const centered = one('Sub', [out, mean]);
  const norm = one('Div', [
    centered,
    one('Sqrt', [
      one('Add', [
        one('ReduceMean', [one('Pow', [centered, g.addInitializer('two', Tensor.float32([], [2]))])], {
          axes: attr.ints([-1]),
        }),
        g.addInitializer('eps', Tensor.float32([], [1e-5])),
      ]),
    ]),
  ]);
  // heads: pooler (Gather + Gemm + Tanh) and a QA split
  const first = one('Gather', [norm, i64(g, 'cls', [0], [])], { axis: attr.int(1) });
  const pooled = one('Tanh', [
    one('Gemm', [first, weights(g, 'wp', [2, 8], 30), weights(g, 'bp', [2], 31)], { transB: attr.int(1) }),
  ]);
  const logits = one('MatMul', [norm, weights(g, 'qa', [8, 2], 32)]);
  const split = op('Split', [logits, i64(g, 'split', [1, 1])], { axis: attr.int(-1) }, 2);
  const start = one('Squeeze', [split.output(0)!, i64(g, 'axm1', [-1])]);
  const end = one('Relu', [one('Squeeze', [split.output(1)!, i64(g, 'axm1b', [-1])])]);
  const sig = one('Sigmoid', [
    one('Slice', [start, i64(g, 's0', [0]), i64(g, 's1', [2 ** 31]), i64(g, 'sa', [1]), i64(g, 'ss', [1])]),
  ]);
  const isPad = one('Equal', [mask, i64(g, 'zero2', [0], [])]);
  const masked = one('Where', [isPad, g.addInitializer('ninf', Tensor.float32([], [-1e9])), end]);
  const flat = one(
    'Cast',
    [one('ConstantOfShape', [one('Shape', [masked])], { value: attr.tensor(Tensor.float32([1], [1])) })],
    { to: attr.int(7) },
  );
  g.setOutputs([pooled, sig, masked, flat]);
  return new Model({ graph: g, opset: 17 });
}

describe('shape inference', () => {
  it('infers symbolic shapes of a BERT layer exactly as ORT computes them', async () => {
    const model = bertLayer();
    const r = inferShapes(model);
    verifyModel(model);
    expect(r.unknownOps).toEqual([]);
    const find = (op: string, k = 0) => model.graph.nodes.filter((n) => n.opType === op)[k]!.out;
    expect(find('Reshape').shape).toEqual(['batch', 'seq', 2, 4]);
    expect(find('Softmax').shape).toEqual(['batch', 2, 'seq', 'seq']);
    expect(find('Reshape', 3).shape).toEqual(['batch', 'seq', 8]);
    expect(find('Gemm').shape).toEqual(['batch', 2]);
    expect(find('Where').shape).toEqual(['batch', 'seq']);
    expect(find('Cast', 1).dtype).toBe('int64');
    expect(model.graph.nodes.find((n) => n.opType === 'Dropout')!.output(1)!.dtype).toBe('bool');
    // every value is fully known, and ORT agrees at batch 3, seq 5
    for (const n of model.graph.nodes)
      for (const o of n.outputs)
        expect(
          o!.shape!.every((d) => d !== null),
          o!.name,
        ).toBe(true);
    const check = await expectShapesMatchOrt(model, seededFeeds(model, { batch: 3, seq: 5, vocab: 30 }), {
      batch: 3,
      seq: 5,
    });
    expect(check.unknown).toBe(0);
    expect(check.values).toBe(model.graph.nodes.flatMap((n) => n.outputs).length);
  });

  it('infers the com.microsoft BERT ops as ORT runs them', async () => {
    const g = new Graph('contrib');
    const ids = g.addInput('input_ids', 'int32', ['b', 's']);
    const seg = g.addInput('segment_ids', 'int32', ['b', 's']);
    const mask = g.addInput('input_mask', 'int32', ['b', 's']);
    const w = (name: string, dims: number[], seed: number) => weights(g, name, dims, seed);
    const node = (opType: string, inputs: (Value | null)[], outputs: number, attributes = {}) =>
      g.addNode({ opType, domain: 'com.microsoft', inputs, outputs, attributes });
    const emb = node(
      'EmbedLayerNormalization',
      [
        ids,
        seg,
        w('we', [20, 8], 1),
        w('pe', [16, 8], 2),
        w('se', [2, 8], 3),
        w('g', [8], 4),
        w('bt', [8], 5),
        mask,
      ],
      2,
      {
        epsilon: attr.float(1e-12),
      },
    );
    const att = node(
      'Attention',
      [emb.output(0)!, w('qkv', [8, 24], 6), w('qkvb', [24], 7), emb.output(1)!],
      1,
      { num_heads: attr.int(2) },
    ).out;
    const sln = node(
      'SkipLayerNormalization',
      [att, emb.output(0)!, w('g2', [8], 8), w('b2', [8], 9), w('bias2', [8], 10)],
      1,
    ).out;
    const up = g.addNode({ opType: 'MatMul', inputs: [sln, w('w1', [8, 16], 11)] }).out;
    const act = node('BiasGelu', [up, w('b1', [16], 12)], 1).out;
    const act2 = node('FastGelu', [act, w('b3', [16], 13)], 1).out;
    const act3 = node('Gelu', [act2], 1).out;
    const q = g.addInitializer(
      'wq8',
      Tensor.fromNumbers(
        'int8',
        [16, 8],
        Array.from({ length: 128 }, (_, i) => (i % 7) - 3),
      ),
    );
    const dq = node(
      'DynamicQuantizeMatMul',
      [
        act3,
        q,
        g.addInitializer('qs', Tensor.float32([1], [0.05])),
        g.addInitializer('qz', Tensor.fromNumbers('int8', [1], [0])),
      ],
      1,
    ).out;
    const dql = g.addNode({ opType: 'DynamicQuantizeLinear', inputs: [dq], outputs: 3 });
    const wu8 = g.addInitializer(
      'wu8',
      Tensor.fromNumbers(
        'uint8',
        [8, 4],
        Array.from({ length: 32 }, (_, i) => i * 3),
      ),
    );
    const mmi = g.addNode({
      opType: 'MatMulInteger',
      inputs: [
        dql.output(0)!,
        wu8,
        dql.output(2)!,
        g.addInitializer('wz', Tensor.fromNumbers('uint8', [], [5])),
      ],
    }).out;
    g.setOutputs([mmi, emb.output(1)!]);
    const model = new Model({
      graph: g,
      opsetImports: [
        ['', 13],
        ['com.microsoft', 1],
      ],
    });
    expect(inferShapes(model).unknownOps).toEqual([]);
    verifyModel(model);
    expect(att.shape).toEqual(['b', 's', 8]);
    expect(emb.output(1)!.shape).toEqual(['b']);
    expect(emb.output(1)!.dtype).toBe('int32');
    expect(dq.shape).toEqual(['b', 's', 8]);
    expect([mmi.dtype, mmi.shape]).toEqual(['int32', ['b', 's', 4]]);
    const check = await expectShapesMatchOrt(model, seededFeeds(model, { batch: 2, seq: 6, vocab: 20 }), {
      b: 2,
      s: 6,
    });
    expect(check.unknown).toBe(0);
  });

  it('follows shape values symbolically, and solves a Reshape -1 by cancelling symbols', () => {
    const g = new Graph();
    const x = g.addInput('x', 'float32', ['batch', 'seq', 8]);
    const r1 = g.addNode({ opType: 'Reshape', inputs: [x, i64(g, 't1', [0, 0, 2, -1])] }).out;
    const r2 = g.addNode({ opType: 'Reshape', inputs: [x, i64(g, 't2', [-1, 8])] }).out;
    const sh = g.addNode({ opType: 'Shape', inputs: [x] }).out;
    const head = g.addNode({ opType: 'Slice', inputs: [sh, i64(g, 'a', [0]), i64(g, 'b', [2])] }).out;
    const t3 = g.addNode({
      opType: 'Concat',
      inputs: [head, i64(g, 'c', [-1])],
      attributes: { axis: attr.int(0) },
    }).out;
    const r3 = g.addNode({ opType: 'Reshape', inputs: [r2, t3] }).out;
    const t4 = g.addNode({
      opType: 'Concat',
      inputs: [
        i64(g, 'd', [-1]),
        g.addNode({ opType: 'Slice', inputs: [sh, i64(g, 'e', [1]), i64(g, 'f', [3])] }).out,
      ],
      attributes: { axis: attr.int(0) },
    }).out;
    const r4 = g.addNode({ opType: 'Reshape', inputs: [x, t4] }).out;
    const u = g.addInput('u', 'float32', [null, 4]);
    const r5 = g.addNode({ opType: 'Reshape', inputs: [u, i64(g, 't5', [0, 2, 2])] }).out;
    g.setOutputs([r1, r3, r4, r5]);
    inferShapes(new Model({ graph: g, opset: 13 }));
    expect(r5.shape).toEqual([null, 2, 2]); // 0 copies an unknown dim
    expect(r1.shape).toEqual(['batch', 'seq', 2, 4]);
    expect(r2.shape).toEqual(['batch*seq', 8]); // a product symbol, divided again below
    expect(r3.shape).toEqual(['batch', 'seq', 8]);
    expect(r4.shape).toEqual(['batch', 'seq', 8]);
  });

  it('refines known info but never loses it', () => {
    const g = new Graph();
    const x = g.addInput('x', 'float32', ['n', 8]);
    const y = g.addInput('y', 'float32', [3, null]);
    const a = g.addNode({
      opType: 'Add',
      inputs: [x, g.addInitializer('b', Tensor.float32([8], new Array(8).fill(0)))],
      outputs: [{ name: 'a', shape: ['batch', 8] }],
    }).out;
    const s = g.addNode({ opType: 'Relu', inputs: [y], outputs: [{ name: 's', shape: [null, 'k'] }] }).out;
    const m = g.addNode({ opType: 'Mul', inputs: [x, y] }).out;
    g.setOutputs([a, s, m]);
    const r = inferShapes(new Model({ graph: g, opset: 13 }));
    expect(a.shape).toEqual(['batch', 8]); // a declared symbol stays
    expect(s.shape).toEqual([3, 'k']); // null gets the size; the declared symbol stays
    expect(m.shape).toEqual([3, 8]); // 'n' broadcast against 3 is 3, null against 8 is 8
    expect(r.updated).toBe(3);
    expect(inferShapes(new Model({ graph: g, opset: 13 })).updated).toBe(0);
  });

  it('reports a contradiction as GIR_ERR_SHAPE naming the node, or replaces it when asked', () => {
    const build = () => {
      const g = new Graph();
      const x = g.addInput('x', 'float32', ['batch', 5]);
      const y = g.addNode({
        opType: 'Neg',
        name: 'negate',
        inputs: [x],
        outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 7] }],
      }).out;
      g.addOutput(y);
      return new Model({ graph: g, opset: 13 });
    };
    const err = (() => {
      try {
        inferShapes(build());
      } catch (e) {
        return e as GraphIrError;
      }
    })();
    expect(err).toBeInstanceOf(GraphIrError);
    expect(err!.code).toBe('GIR_ERR_SHAPE');
    expect(err!.message).toMatch(/Neg 'negate'.*'y'.*\[batch,7\].*\[batch,5\]/);
    const warnings: string[] = [];
    const model = build();
    const r = inferShapes(model, { onConflict: 'replace', logger: { warn: (m) => warnings.push(m) } });
    expect(r.replaced).toBe(1);
    expect(model.graph.outputs[0]!.shape).toEqual(['batch', 5]);
    expect(warnings[0]).toMatch(/negate/);
    // a dtype contradiction
    const g = new Graph();
    const x = g.addInput('x', 'float32', [2]);
    g.addOutput(
      g.addNode({
        opType: 'Cast',
        name: 'c',
        inputs: [x],
        attributes: { to: attr.int(7) },
        outputs: [{ name: 'z', dtype: 'float32' }],
      }).out,
    );
    expect(() => inferShapes(new Model({ graph: g, opset: 13 }))).toThrow(
      expect.objectContaining({ code: 'GIR_ERR_DTYPE' }),
    );
    // incompatible static dims
    const h = new Graph();
    const p = h.addInput('p', 'float32', [2, 3]);
    h.addOutput(h.addNode({ opType: 'Add', name: 'bad', inputs: [p, h.addInput('q', 'float32', [4])] }).out);
    expect(() => inferShapes(new Model({ graph: h, opset: 13 }))).toThrow(/Add 'bad'.*do not broadcast/);
  });

  it('leaves ops it does not know alone and reports them; handles unsorted graphs; runs as a pass', () => {
    const g = new Graph();
    const x = g.addInput('x', 'float32', ['n', 4]);
    const last = g.addNode({ opType: 'Relu', inputs: [] as Value[], outputs: ['r'] });
    const custom = g.addNode({ opType: 'MyOp', domain: 'custom', inputs: [x], outputs: ['c'], before: last });
    const tanh = g.addNode({ opType: 'Tanh', inputs: [x], outputs: ['t'], after: last }).out;
    last.appendInput(tanh); // Relu reads Tanh, which comes after it
    g.setOutputs([last.out, custom.out]);
    const model = new Model({
      graph: g,
      opsetImports: [
        ['', 13],
        ['custom', 1],
      ],
    });
    const pass = shapeInferencePass();
    const r = pass.run(model, {});
    expect(r.modified).toBe(true);
    expect(last.out.shape).toEqual(['n', 4]);
    expect(custom.out.shape).toBeUndefined();
    expect(inferShapes(model).unknownOps).toEqual(['custom:MyOp']);
    expect(pass.run(model, {}).modified).toBe(false);
  });

  const fixtures = [
    { path: KERAS, vocab: 20 },
    { path: BERT_TOY, vocab: 99 },
    { path: FP16_ORT, vocab: 100 },
    { path: DISTILBERT, vocab: 30522 },
    ...FUSED.map((path) => ({ path, vocab: 2 })),
  ];
  for (const { path, vocab } of fixtures)
    it(`matches ORT on every value of ${fixtureName(path)}`, async () => {
      const model = readModel(path);
      topologicalSort(model.graph); // bert_toy is stored unsorted
      const r = inferShapes(model);
      verifyModel(model);
      expect(r.unknownOps).toEqual([]);
      const sizes: Record<string, number> = {};
      for (const v of model.graph.inputs)
        v.shape?.forEach((d, i) => {
          if (typeof d === 'string') sizes[d] = i === 0 ? 2 : 8;
        });
      // The QA exports declare start/end as [batch_size, 128] whatever the sequence: a stale static dim
      // that no inference can see through while the sequence is symbolic.
      const stale = path === FP16_ORT ? ['start', 'end'] : [];
      const check = await expectShapesMatchOrt(
        model,
        seededFeeds(model, { batch: 2, seq: 8, vocab }),
        sizes,
        stale,
      );
      expect(check.values).toBeGreaterThan(0);
      // bert_toy computes its position-id slice end as Min(Shape(input_ids), [1, 9999]): left unknown
      expect(check.unknown).toBe(path === BERT_TOY ? 2 : 0);
    });
});
