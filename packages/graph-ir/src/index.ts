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
export { type EvaluateOptions, evaluateNode, evaluatorOps } from './evaluator/evaluate-node.js';
export { DEFAULT_MAX_FOLD_ELEMENTS } from './evaluator/kernel.js';
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
export {
  type ModelSummary,
  type ParameterCount,
  summarizeModel,
  type ValueSummary,
} from './model-summary.js';
export { Node } from './node.js';
export {
  type ConstantFoldingOptions,
  type ConstantFoldingResult,
  constantFoldingPass,
  foldConstants,
} from './passes/constant-folding.js';
export { type DeadCodeEliminationOptions, deadCodeEliminationPass } from './passes/dead-code-elimination.js';
export { fixConcatScalars, fixConcatScalarsPass } from './passes/fix-concat-scalars.js';
export { identityEliminationPass } from './passes/identity-elimination.js';
export type { Logger, Pass, PassContext, PassResult } from './passes/pass.js';
export {
  type PassTiming,
  type RunPassesOptions,
  type RunPassesResult,
  runPasses,
} from './passes/pass-manager.js';
export {
  inferShapes,
  type ShapeInferenceOptions,
  type ShapeInferenceResult,
  shapeInferencePass,
} from './passes/shape-inference.js';
export {
  bindInputDims,
  type SpecializeShapesOptions,
  type SpecializeShapesResult,
  specializeShapes,
  specializeShapesPass,
} from './passes/specialize-shapes.js';
export { topologicalSort, topologicalSortPass } from './passes/topological-sort.js';
export {
  type ApplyRulesOptions,
  type ApplyRulesResult,
  applyRules,
  RULE_METADATA_KEY,
} from './pattern/apply-rules.js';
export { Match } from './pattern/match.js';
export { matchAll, matchPattern } from './pattern/match-pattern.js';
export {
  type AnyPattern,
  any,
  COMMUTATIVE_OPS,
  type ConstantPattern,
  constant,
  type OpPattern,
  type OpPatternOptions,
  op,
  type Pattern,
  scalar,
} from './pattern/pattern.js';
export type { Rule, RuleContext } from './pattern/rule.js';
export { rulesPass } from './pattern/rules-pass.js';
export { formatFloat32, type PrintOptions, printGraph, printModel } from './printer.js';
export { type ReadModelOptions, readModel, readTensor } from './serde/read-model.js';
export { type WriteModelOptions, writeModel, writeModelFile } from './serde/write-model.js';
export { Tensor } from './tensor.js';
export { type Dim, type Use, Value } from './value.js';
export { checkGraph, type VerifyOptions, verifyModel } from './verifier.js';
