import type { Node } from '@bert-neuron/graph-ir';

/**
 * Which inputs and outputs of a node carry its float type T (the type a precision policy sets):
 * those must all be FP16 when the node computes in FP16. Other float slots have a type of their
 * own (LayerNormalization's Mean/InvStdDev are float32 whatever T is; Cast, Shape and Size read
 * any type). Integer values in a float slot (a Reshape's shape, Gather indices) are never touched:
 * only float32/float16 values are converted.
 */
export interface FloatSlots {
  /** Input indices in T. */
  readonly inputs: 'all' | readonly number[];
  /** Input indices that accept any type (no conversion ever needed). */
  readonly anyInputs: 'all' | readonly number[];
  /** Output indices in T. */
  readonly outputs: 'all' | readonly number[];
}

const ALL: FloatSlots = { inputs: 'all', anyInputs: [], outputs: 'all' };

/**
 * ai.onnx ops whose schema allows float16 for T and that BERT graphs use: elementwise math,
 * products, normalization, data movement and comparisons. Anything else keeps its types.
 */
const FLOAT16_OPS: ReadonlySet<string> = new Set([
  'Abs',
  'Add',
  'ArgMax',
  'ArgMin',
  'Ceil',
  'Clip',
  'Concat',
  'Div',
  'Dropout',
  'Einsum',
  'Equal',
  'Erf',
  'Exp',
  'Expand',
  'Flatten',
  'Floor',
  'Gather',
  'GatherElements',
  'GatherND',
  'Gelu',
  'Gemm',
  'Greater',
  'GreaterOrEqual',
  'Identity',
  'LayerNormalization',
  'Less',
  'LessOrEqual',
  'Log',
  'LogSoftmax',
  'MatMul',
  'Max',
  'Mean',
  'Min',
  'Mul',
  'Neg',
  'Pad',
  'Pow',
  'Reciprocal',
  'ReduceL2',
  'ReduceMax',
  'ReduceMean',
  'ReduceMin',
  'ReduceSum',
  'Relu',
  'Reshape',
  'Sigmoid',
  'Sign',
  'Slice',
  'Softmax',
  'Split',
  'Sqrt',
  'Squeeze',
  'Sub',
  'Sum',
  'Tanh',
  'Tile',
  'Transpose',
  'Unsqueeze',
  'Where',
]);

/** com.microsoft ops with a float16 T that BERT exports carry. */
const CONTRIB_FLOAT16_OPS: ReadonlySet<string> = new Set([
  'BiasAdd',
  'BiasGelu',
  'FastGelu',
  'FusedMatMul',
  'Gelu',
  'QuickGelu',
  'SkipLayerNormalization',
]);

/**
 * The float slots of a node, or undefined when the node's types must stay as they are (an op
 * without float16 support, Constant nodes, which are handled as constants, and unknown ops).
 */
export function floatSlotsOf(node: Node): FloatSlots | undefined {
  if (node.domain === '' || node.domain === 'ai.onnx') {
    switch (node.opType) {
      case 'Cast':
        return { inputs: [], anyInputs: 'all', outputs: 'all' };
      case 'CastLike':
        return { inputs: [1], anyInputs: [0], outputs: 'all' };
      case 'Shape':
      case 'Size':
        return { inputs: [], anyInputs: 'all', outputs: [] };
      case 'ConstantOfShape':
        return { inputs: [], anyInputs: [], outputs: 'all' };
      case 'LayerNormalization':
        return { inputs: 'all', anyInputs: [], outputs: [0] };
      default:
        return FLOAT16_OPS.has(node.opType) ? ALL : undefined;
    }
  }
  if (node.domain === 'com.microsoft') {
    // SkipLayerNormalization: output, mean (float), inv_std_var (float), input_skip_bias_sum.
    if (node.opType === 'SkipLayerNormalization') return { inputs: 'all', anyInputs: [], outputs: [0, 3] };
    return CONTRIB_FLOAT16_OPS.has(node.opType) ? ALL : undefined;
  }
  return undefined;
}

export function slotIncludes(slots: 'all' | readonly number[], index: number): boolean {
  return slots === 'all' || slots.includes(index);
}
