// Build one-node models, run them in onnxruntime-node and convert tensors both ways, for the
// evaluator and shape inference tests.
import ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { Attribute } from '../../src/attribute.js';
import type { DataType, TensorData } from '../../src/dtype.js';
import { evaluateNode } from '../../src/evaluator/evaluate-node.js';
import { Graph } from '../../src/graph.js';
import { Model } from '../../src/model.js';
import type { Node } from '../../src/node.js';
import { Tensor } from '../../src/tensor.js';
import { type Feeds, run } from './ort-run.js';

const ORT_TYPES: Partial<Record<DataType, string>> = {
  float32: 'float32',
  float64: 'float64',
  float16: 'float16',
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
};

export function toOrt(t: Tensor): ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (type === undefined) throw new Error(`no ORT type for ${t.dtype}`);
  return new ort.Tensor(type as 'float32', t.data as Float32Array, [...t.dims]);
}

export function fromOrt(o: {
  type: string;
  dims: readonly number[];
  data: ArrayLike<number | bigint>;
}): Tensor {
  const dtype = (Object.entries(ORT_TYPES).find(([, v]) => v === o.type)?.[0] ?? o.type) as DataType;
  return Tensor.from(dtype, o.dims, o.data as unknown as TensorData);
}

export interface SingleNodeSpec {
  op: string;
  domain?: string;
  /** Named inputs: the tensors are fed to ORT as graph inputs (null = omitted optional input). */
  inputs: readonly (Tensor | null)[];
  attributes?: Record<string, Attribute>;
  outputs?: number;
  opset?: number;
}

/** A model holding only this node, its inputs as graph inputs with static shapes. */
export function singleNodeModel(spec: SingleNodeSpec): { model: Model; node: Node; feeds: Feeds } {
  const g = new Graph('single');
  const feeds: Feeds = {};
  const inputs = spec.inputs.map((t, i) => {
    if (t === null) return null;
    feeds[`in${i}`] = toOrt(t);
    return g.addInput(`in${i}`, t.dtype, [...t.dims]);
  });
  const node = g.addNode({
    opType: spec.op,
    domain: spec.domain ?? '',
    name: 'n',
    inputs,
    outputs: Array.from({ length: spec.outputs ?? 1 }, (_, i) => `out${i}`),
    attributes: spec.attributes,
  });
  for (const o of node.outputs) if (o) g.addOutput(o);
  const opsets: [string, number][] = [['', spec.opset ?? 13]];
  if (spec.domain) opsets.push([spec.domain, 1]);
  return { model: new Model({ graph: g, opsetImports: opsets }), node, feeds };
}

/** Run the single-node model in ORT; the outputs as Tensors, in output order. */
export async function runInOrt(spec: SingleNodeSpec, dtypes: readonly DataType[]): Promise<Tensor[]> {
  const { model, node, feeds } = singleNodeModel(spec);
  node.outputs.forEach((o, i) => {
    if (o) o.dtype = dtypes[i] ?? dtypes[0];
  });
  const out = await run(model, feeds);
  return node.outputs.map((o) => fromOrt(out[o!.name]!));
}

/** Evaluate the node with our evaluator and with ORT, and expect identical dims and elements (floats within tol). */
export async function expectMatchesOrt(spec: SingleNodeSpec, tol = 0): Promise<Tensor[]> {
  const { node } = singleNodeModel(spec);
  const ours = evaluateNode(node, spec.inputs, spec.opset ?? 13);
  expect(ours, `${spec.op} was not evaluated`).toBeDefined();
  const theirs = await runInOrt(
    spec,
    ours!.map((t) => t.dtype),
  );
  expect(ours!.length).toBe(theirs.length);
  ours!.forEach((t, i) => {
    const r = theirs[i]!;
    expect(t.dtype, `${spec.op} output ${i} dtype`).toBe(r.dtype);
    expect([...t.dims], `${spec.op} output ${i} dims`).toEqual([...r.dims]);
    if (tol === 0 || t.dtype === 'int64' || t.dtype === 'int32' || t.dtype === 'bool') {
      if (t.dtype === 'int64') expect(t.toBigInts()).toEqual(r.toBigInts());
      else
        expect(
          Buffer.from(t.bytes).equals(Buffer.from(r.bytes)),
          `${spec.op} output ${i}: ${t.toNumbers()} vs ${r.toNumbers()}`,
        ).toBe(true);
    } else {
      const a = t.toNumbers();
      const b = r.toNumbers();
      a.forEach((x, j) => {
        expect(Math.abs(x - b[j]!), `${spec.op} element ${j}: ${x} vs ${b[j]}`).toBeLessThanOrEqual(tol);
      });
    }
  });
  return ours!;
}
