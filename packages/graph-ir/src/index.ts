export {
  type Attribute,
  type AttributeType,
  type AttributeValue,
  attr,
  type SparseTensor,
  type TypeProtoJson,
} from './attribute.js';
export {
  allocateData,
  DATA_TYPES,
  type DataType,
  dataTypeFromOnnx,
  dataTypeSize,
  isDataType,
  isFloatType,
  isIntegerType,
  onnxDataTypeCode,
  type TensorData,
  type TypedArray,
} from './dtype.js';
export { GraphIrError, type GraphIrErrorCode } from './errors.js';
export {
  bfloat16BitsToFloat32,
  FLOAT16_MAX,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  fromFloat16Array,
  toFloat16Array,
} from './float16.js';
export { Graph, type NodeSpec, type OutputSpec } from './graph.js';
export { Model } from './model.js';
export { Node } from './node.js';
export type { Logger, Pass, PassContext, PassResult } from './passes/pass.js';
export { type ReadModelOptions, readModel, readTensor } from './serde/read-model.js';
export { type WriteModelOptions, writeModel, writeModelFile } from './serde/write-model.js';
export { Tensor } from './tensor.js';
export { type Dim, type Use, Value } from './value.js';
export { checkGraph, type VerifyOptions, verifyModel } from './verifier.js';
