import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import { compareModels } from '../src/compare-models.js';
import { type DataType, onnxDataTypeCode } from '../src/dtype.js';
import type { GraphIrError } from '../src/errors.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { ModelProto } from '../src/serde/onnx-schema.js';
import { readModel } from '../src/serde/read-model.js';
import { writeModel, writeModelFile } from '../src/serde/write-model.js';
import { Tensor } from '../src/tensor.js';
import { expectSameOutputs, run } from './support/ort-run.js';
import { tempDir } from './support/temp-dir.js';

const roundTrip = (m: Model): Model => readModel(writeModel(m));

/** Encode a ModelProto given as a plain object (protobufjs fromObject form). */
function encodeModel(graph: Record<string, unknown>, opset = 14): Uint8Array {
  return ModelProto.encode(
    ModelProto.fromObject({ irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph }),
  ).finish();
}

function errorOf(fn: () => unknown): GraphIrError {
  try {
    fn();
  } catch (err) {
    return err as GraphIrError;
  }
  throw new Error('expected an error');
}

describe('tensor dtypes round-trip', () => {
  const cases: [DataType, Tensor][] = [
    ['float32', Tensor.float32([2, 2], [1.5, -0, Number.POSITIVE_INFINITY, 3.4028234663852886e38])],
    ['float64', Tensor.from('float64', [3], Float64Array.from([Math.PI, -1e-300, Number.MAX_VALUE]))],
    ['float16', Tensor.fromNumbers('float16', [4], [1, -2.5, 65504, 2 ** -24])],
    ['bfloat16', Tensor.fromNumbers('bfloat16', [3], [1, -3.140625, 1e30])],
    ['int8', Tensor.from('int8', [3], Int8Array.from([-128, 0, 127]))],
    ['uint8', Tensor.from('uint8', [2], Uint8Array.from([0, 255]))],
    ['int16', Tensor.from('int16', [2], Int16Array.from([-32768, 32767]))],
    ['uint16', Tensor.from('uint16', [2], Uint16Array.from([0, 65535]))],
    ['int32', Tensor.from('int32', [2], Int32Array.from([-(2 ** 31), 2 ** 31 - 1]))],
    ['uint32', Tensor.from('uint32', [2], Uint32Array.from([0, 2 ** 32 - 1]))],
    ['int64', Tensor.int64([4], [2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, -5n])],
    ['uint64', Tensor.from('uint64', [2], BigUint64Array.from([2n ** 64n - 1n, 2n ** 53n + 3n]))],
    ['bool', Tensor.from('bool', [3], Uint8Array.from([1, 0, 1]))],
    ['string', Tensor.from('string', [2, 1], ['héllo', ''])],
  ];

  it('every dtype survives write and read, element for element', () => {
    const m = new Model();
    for (const [dt, t] of cases) m.graph.addInitializer(`w_${dt}`, t);
    const back = roundTrip(m);
    expect(compareModels(m, back)).toEqual([]);
    for (const [dt, t] of cases) {
      const u = back.graph.value(`w_${dt}`).initializer!;
      expect(u.dtype).toBe(dt);
      expect(u.dims).toEqual(t.dims);
      expect(u.equals(t)).toBe(true);
    }
    expect(back.graph.value('w_int64').initializer!.toBigInts()).toEqual([
      9007199254740993n,
      -9223372036854775808n,
      9223372036854775807n,
      -5n,
    ]);
    expect([...(back.graph.value('w_uint64').initializer!.data as BigUint64Array)]).toEqual([
      18446744073709551615n,
      9007199254740995n,
    ]);
    expect(back.graph.value('w_string').initializer!.data).toEqual(['héllo', '']);
    expect(back.graph.value('w_float16').initializer!.toNumbers()).toEqual([1, -2.5, 65504, 2 ** -24]);
  });

  it('a zero-size tensor round-trips (and is accepted by onnxruntime as a Concat operand)', async () => {
    const m = new Model();
    const x = m.graph.addInput('x', 'float32', [2, 3]);
    const empty = m.graph.addInitializer('empty', Tensor.zeros('float32', [0, 3]));
    const y = m.graph.addNode({
      opType: 'Concat',
      inputs: [x, empty],
      outputs: ['y'],
      attributes: { axis: attr.int(0) },
    });
    m.graph.addOutput(y.out);
    const back = roundTrip(m);
    expect(compareModels(m, back)).toEqual([]);
    const t = back.graph.value('empty').initializer!;
    expect(t.size).toBe(0);
    expect(t.dims).toEqual([0, 3]);
    const { default: ort } = await import('onnxruntime-node');
    const out = await run(back, {
      x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
    });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('typed data fields (not raw_data)', () => {
  it('reads float_data, double_data, int32_data (int8, float16 bits, bool), int64_data and uint64_data', () => {
    const t = (name: string, dt: DataType, dims: number[], fields: Record<string, unknown>) => ({
      name,
      dataType: onnxDataTypeCode(dt),
      dims,
      ...fields,
    });
    const bytes = encodeModel({
      name: 'g',
      initializer: [
        t('f', 'float32', [3], { floatData: [1.5, -2, 0.25] }),
        t('d', 'float64', [2], { doubleData: [Math.E, -1e200] }),
        t('i8', 'int8', [3], { int32Data: [-128, 5, 127] }),
        t('h', 'float16', [2], { int32Data: [0x3c00, 0xc000] }),
        t('b', 'bool', [2], { int32Data: [1, 0] }),
        t('i32', 'int32', [2], { int32Data: [-7, 2147483647] }),
        t('i64', 'int64', [3], { int64Data: ['9007199254740993', '-2', '-9223372036854775808'] }),
        t('u64', 'uint64', [1], { uint64Data: ['18446744073709551615'] }),
        t('u32', 'uint32', [1], { uint64Data: ['4294967295'] }),
        t('s', 'string', [2], { stringData: [Buffer.from('ab'), Buffer.from('€')] }),
      ],
    });
    const g = readModel(bytes).graph;
    const init = (n: string) => g.value(n).initializer!;
    expect(init('f').toNumbers()).toEqual([1.5, -2, 0.25]);
    expect(init('d').toNumbers()).toEqual([Math.E, -1e200]);
    expect(init('i8').toNumbers()).toEqual([-128, 5, 127]);
    expect(init('h').toNumbers()).toEqual([1, -2]);
    expect(init('b').toNumbers()).toEqual([1, 0]);
    expect(init('i32').toNumbers()).toEqual([-7, 2147483647]);
    expect(init('i64').toBigInts()).toEqual([9007199254740993n, -2n, -9223372036854775808n]);
    expect(init('u64').toBigInts()).toEqual([18446744073709551615n]);
    expect(init('u32').toNumbers()).toEqual([4294967295]);
    expect(init('s').data).toEqual(['ab', '€']);
    // Written back they become raw_data and still read the same.
    const again = readModel(writeModel(readModel(bytes)));
    for (const n of ['f', 'd', 'i8', 'h', 'b', 'i32', 'i64', 'u64', 'u32', 's'])
      expect(again.graph.value(n).initializer!.equals(init(n))).toBe(true);
  });

  it('a typed field with the wrong element count is GIR_ERR_PARSE', () => {
    const bytes = encodeModel({
      name: 'g',
      initializer: [{ name: 'f', dataType: 1, dims: [4], floatData: [1, 2] }],
    });
    expect(errorOf(() => readModel(bytes)).code).toBe('GIR_ERR_PARSE');
  });
});

describe('graph features round-trip', () => {
  it('every attribute kind, exactly', () => {
    const m = new Model();
    const x = m.graph.addInput('x', 'float32', [2]);
    const sub = new Graph('body', m.graph);
    const si = sub.addInput('i', 'int64', []);
    const sn = sub.addNode({ opType: 'Identity', inputs: [x], outputs: ['sub_out'] });
    sub.setOutputs([sn.out]);
    void si;
    const sub2 = new Graph('other', m.graph);
    sub2.setOutputs([sub2.addNode({ opType: 'Neg', inputs: [x], outputs: ['neg'] }).out]);
    const sparse = {
      values: Tensor.float32([2], [5, 6]),
      indices: Tensor.int64([2], [1, 3]),
      dims: [4],
    };
    const typeProto = { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'n' }] } } };
    const n = m.graph.addNode({
      opType: 'Custom',
      domain: 'test.domain',
      name: 'all_kinds',
      inputs: [x],
      outputs: ['y'],
      attributes: {
        f: attr.float(Math.fround(0.1)), // ONNX floats are float32
        i: attr.int(-(2n ** 62n)),
        big: attr.int(2n ** 63n - 1n),
        s: attr.string('ünïcode'),
        t: attr.tensor(Tensor.int64([2], [1, -1])),
        g: attr.graph(sub),
        fs: attr.floats([1.5, -0.5]),
        is: attr.ints([0, -1, 2n ** 40n]),
        ss: attr.strings(['a', 'b']),
        ts: { type: 'tensors', value: [Tensor.float32([1], [3]), Tensor.scalar('bool', 1)] },
        gs: { type: 'graphs', value: [sub2] },
        sp: { type: 'sparse_tensor', value: sparse },
        sps: { type: 'sparse_tensors', value: [sparse] },
        tp: { type: 'type_proto', value: typeProto },
        tps: { type: 'type_protos', value: [typeProto] },
        ref: { type: 'float', value: 0, refAttrName: 'alpha' },
      },
    });
    m.graph.addOutput(n.out);
    m.ensureOpset('test.domain', 1);
    const back = roundTrip(m);
    expect(compareModels(m, back)).toEqual([]);
    const b = back.graph.nodes[0]!;
    expect(b.attributes.size).toBe(16);
    expect(b.attrFloat('f')).toBe(Math.fround(0.1));
    expect(b.getAttribute('big')).toMatchObject({ type: 'int', value: 2n ** 63n - 1n });
    expect(b.getAttribute('i')).toMatchObject({ type: 'int', value: -(2n ** 62n) });
    expect(b.getAttribute('is')).toMatchObject({ value: [0n, -1n, 2n ** 40n] });
    expect(b.attrString('s')).toBe('ünïcode');
    expect(b.getAttribute('ref')).toMatchObject({ refAttrName: 'alpha' });
    const g = b.getAttribute('g');
    expect(g?.type).toBe('graph');
    if (g?.type === 'graph') {
      expect(g.value.parent).toBe(back.graph);
      expect(g.value.nodes[0]!.inputs[0]).toBe(back.graph.value('x'));
    }
    const sp = b.getAttribute('sp');
    if (sp?.type !== 'sparse_tensor') throw new Error('sparse attribute lost');
    expect(sp.value.values.toNumbers()).toEqual([5, 6]);
    expect(sp.value.dims).toEqual([4]);
  });

  it('symbolic and unknown dims, value_info, docs and metadata of nodes, values, graph and model', () => {
    const m = new Model({ opset: 17 });
    m.metadata.set('author', 'test');
    m.graph.metadata.set('purpose', 'round trip');
    m.graph.docString = 'main graph';
    const x = m.graph.addInput('x', 'float32', ['batch', 4, null]);
    x.metadata.set('role', 'input');
    const r = m.graph.addNode({
      opType: 'Relu',
      name: 'relu',
      inputs: [x],
      outputs: [{ name: 'h', dtype: 'float32', shape: ['batch', 4, null] }],
      metadata: { placement: 'device', rule: 'r1' },
    });
    r.docString = 'a relu';
    r.out.metadata.set('note', 'hidden');
    const y = m.graph.addNode({ opType: 'Neg', inputs: [r.out], outputs: ['y'] });
    y.out.dtype = 'float32';
    m.graph.addOutput(y.out);
    const back = roundTrip(m);
    expect(compareModels(m, back)).toEqual([]);
    const g = back.graph;
    expect(g.value('x').shape).toEqual(['batch', 4, null]);
    expect(g.value('h').shape).toEqual(['batch', 4, null]);
    expect(g.value('h').dtype).toBe('float32');
    expect(g.value('h').metadata.get('note')).toBe('hidden');
    expect(g.value('y').shape).toBeUndefined();
    expect(g.value('y').dtype).toBe('float32');
    expect(g.value('x').metadata.get('role')).toBe('input');
    expect([...g.nodes[0]!.metadata]).toEqual([
      ['placement', 'device'],
      ['rule', 'r1'],
    ]);
    expect(g.nodes[0]!.docString).toBe('a relu');
    expect(g.metadata.get('purpose')).toBe('round trip');
    expect(g.docString).toBe('main graph');
    expect(back.metadata.get('author')).toBe('test');
    expect(back.opset()).toBe(17);
  });
});

describe('external data', () => {
  const dir = tempDir();

  function smallMlp(): Model {
    const m = new Model({ opset: 14 });
    const x = m.graph.addInput('x', 'float32', ['n', 64]);
    const w = m.graph.addInitializer(
      'w',
      Tensor.float32(
        [64, 32],
        Array.from({ length: 2048 }, (_, i) => Math.sin(i)),
      ),
    );
    const b = m.graph.addInitializer(
      'b',
      Tensor.float32(
        [32],
        Array.from({ length: 32 }, (_, i) => i / 8),
      ),
    );
    const mm = m.graph.addNode({ opType: 'MatMul', inputs: [x, w], outputs: ['mm'] });
    const y = m.graph.addNode({ opType: 'Add', inputs: [mm.out, b], outputs: ['y'] });
    m.graph.addOutput(y.out);
    return m;
  }

  it('writes large tensors to the data file, reads them back, and onnxruntime agrees', async () => {
    const m = smallMlp();
    const path = join(dir, 'mlp.onnx');
    writeModelFile(path, m, { externalData: { location: 'mlp.onnx.data', threshold: 1024 } });
    expect(statSync(join(dir, 'mlp.onnx.data')).size).toBeGreaterThanOrEqual(2048 * 4);
    expect(statSync(path).size).toBeLessThan(2048 * 4);
    const back = readModel(path);
    expect(compareModels(m, back)).toEqual([]);
    expect(back.graph.value('w').initializer!.isRawBacked).toBe(true);
    const { default: ort } = await import('onnxruntime-node');
    const feeds = {
      x: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 128 }, (_, i) => Math.cos(i)),
        [2, 64],
      ),
    };
    expectSameOutputs(await run(writeModel(m), feeds), await run(path, feeds), 0);
  });

  it('refuses an external location outside the model folder (../x.bin or absolute)', () => {
    const inner = join(dir, 'inner');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(dir, 'x.bin'), new Uint8Array(16));
    for (const location of ['../x.bin', join(dir, 'x.bin')]) {
      const bytes = encodeModel({
        name: 'g',
        initializer: [
          {
            name: 'w',
            dataType: 1,
            dims: [4],
            dataLocation: 1,
            externalData: [
              { key: 'location', value: location },
              { key: 'offset', value: '0' },
              { key: 'length', value: '16' },
            ],
          },
        ],
      });
      const path = join(inner, 'evil.onnx');
      writeFileSync(path, bytes);
      const err = errorOf(() => readModel(path));
      expect(err.code).toBe('GIR_ERR_EXTERNAL_DATA');
      expect(err.message).toContain(location);
    }
  });

  it('refuses to write a data file outside the model folder', () => {
    const err = errorOf(() =>
      writeModelFile(join(dir, 'o.onnx'), smallMlp(), { externalData: { location: '../o.data' } }),
    );
    expect(err.code).toBe('GIR_ERR_USAGE');
    expect(existsSync(join(dir, 'o.onnx'))).toBe(false);
  });
});
