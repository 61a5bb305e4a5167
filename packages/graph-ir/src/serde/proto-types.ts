// Shapes of decoded ONNX protobuf messages (as protobufjs produces them), just what serde reads.
import type Long from 'long';

export type Int64 = Long | number;

export interface StringEntry {
  key: string;
  value: string;
}
export interface DimensionMsg {
  value?: 'dimValue' | 'dimParam';
  dimValue?: Int64;
  dimParam?: string;
  denotation?: string;
}
export interface TypeMsg {
  value?: string;
  tensorType?: { elemType?: number; shape?: { dim?: DimensionMsg[] } | null } | null;
  denotation?: string;
  [k: string]: unknown;
}
export interface ValueInfoMsg {
  name: string;
  type?: TypeMsg | null;
  docString?: string;
  metadataProps?: StringEntry[];
}
export interface TensorMsg {
  dims?: Int64[];
  dataType?: number;
  segment?: unknown;
  floatData?: number[];
  int32Data?: number[];
  stringData?: Uint8Array[];
  int64Data?: Int64[];
  name?: string;
  docString?: string;
  rawData?: Uint8Array;
  externalData?: StringEntry[];
  dataLocation?: number;
  doubleData?: number[];
  uint64Data?: Int64[];
}
export interface SparseTensorMsg {
  values?: TensorMsg | null;
  indices?: TensorMsg | null;
  dims?: Int64[];
}
export interface AttributeMsg {
  name: string;
  refAttrName?: string;
  docString?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorMsg | null;
  g?: GraphMsg | null;
  sparseTensor?: SparseTensorMsg | null;
  tp?: TypeMsg | null;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorMsg[];
  graphs?: GraphMsg[];
  sparseTensors?: SparseTensorMsg[];
  typeProtos?: TypeMsg[];
}
export interface NodeMsg {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  overload?: string;
  attribute?: AttributeMsg[];
  docString?: string;
  metadataProps?: StringEntry[];
}
export interface GraphMsg {
  node?: NodeMsg[];
  name?: string;
  initializer?: TensorMsg[];
  sparseInitializer?: SparseTensorMsg[];
  docString?: string;
  input?: ValueInfoMsg[];
  output?: ValueInfoMsg[];
  valueInfo?: ValueInfoMsg[];
  quantizationAnnotation?: unknown[];
  metadataProps?: StringEntry[];
}
export interface ModelMsg {
  irVersion?: Int64;
  opsetImport?: { domain?: string; version?: Int64 }[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: Int64;
  docString?: string;
  graph?: GraphMsg | null;
  metadataProps?: StringEntry[];
  functions?: unknown[];
}
