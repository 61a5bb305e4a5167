export { GraphIrError, type GraphIrErrorCode } from './errors.js';
export {
  type DataType,
  type TensorData,
  type TypedArray,
  DATA_TYPES,
  allocateData,
  dataTypeFromOnnx,
  dataTypeSize,
  isDataType,
  isFloatType,
  isIntegerType,
  onnxDataTypeCode,
} from './dtype.js';
export {
  FLOAT16_MAX,
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  fromFloat16Array,
  toFloat16Array,
} from './float16.js';
export { Tensor } from './tensor.js';
export { type Attribute, type AttributeType, type AttributeValue, type SparseTensor, type TypeProtoJson, attr } from './attribute.js';
export { type Dim, type Use, Value } from './value.js';
export { Node } from './node.js';
export { Graph, type NodeSpec, type OutputSpec } from './graph.js';
export { Model } from './model.js';
export { type VerifyOptions, checkGraph, verifyModel } from './verifier.js';
export { type ReadModelOptions, readModel, readTensor } from './serde/read-model.js';
export { type WriteModelOptions, writeModel, writeModelFile } from './serde/write-model.js';
export type { Logger, Pass, PassContext, PassResult } from './passes/pass.js';
