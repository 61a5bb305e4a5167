import type { Graph } from './graph.js';
import type { Tensor } from './tensor.js';

/** A sparse tensor (ONNX SparseTensorProto): values, indices and the dense dims. */
export interface SparseTensor {
  readonly values: Tensor;
  readonly indices: Tensor;
  readonly dims: readonly number[];
}

/** A TypeProto kept in its decoded JSON form (used for non-tensor types, which BERT never needs). */
export type TypeProtoJson = Record<string, unknown>;

/** A typed node attribute; ints are bigint so int64 values survive exactly. */
export type AttributeValue =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'graph'; readonly value: Graph }
  | { readonly type: 'sparse_tensor'; readonly value: SparseTensor }
  | { readonly type: 'type_proto'; readonly value: TypeProtoJson }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly bigint[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensors'; readonly value: readonly Tensor[] }
  | { readonly type: 'graphs'; readonly value: readonly Graph[] }
  | { readonly type: 'sparse_tensors'; readonly value: readonly SparseTensor[] }
  | { readonly type: 'type_protos'; readonly value: readonly TypeProtoJson[] };

export type AttributeType = AttributeValue['type'];

/** An attribute as stored on a node: its value plus the rarely used ONNX extras. */
export type Attribute = AttributeValue & { readonly refAttrName?: string; readonly docString?: string };

/** Constructors for attributes. */
export const attr = {
  float: (value: number): Attribute => ({ type: 'float', value: Math.fround(value) }),
  int: (value: number | bigint): Attribute => ({ type: 'int', value: BigInt(value) }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  tensor: (value: Tensor): Attribute => ({ type: 'tensor', value }),
  graph: (value: Graph): Attribute => ({ type: 'graph', value }),
  floats: (value: readonly number[]): Attribute => ({ type: 'floats', value: value.map(Math.fround) }),
  ints: (value: readonly (number | bigint)[]): Attribute => ({
    type: 'ints',
    value: value.map((v) => BigInt(v)),
  }),
  strings: (value: readonly string[]): Attribute => ({ type: 'strings', value: [...value] }),
} as const;
