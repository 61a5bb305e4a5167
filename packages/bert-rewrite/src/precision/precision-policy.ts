import type { Node } from '@bert-neuron/graph-ir';
import { type BertRegion, regionOf } from '../regions.js';

/**
 * Precision policies, as the reference compiler offers them:
 * - fp32: the model as it is;
 * - mixed: FP16 for attention and the fully-connected layers (attention, attention-output, ffn,
 *   pooler, head), FP32 for the embeddings, their LayerNorm, the mask preparation, the residual
 *   adds + LayerNorms and the outputs (head-output);
 * - aggressive: mixed plus the residual adds + LayerNorms in FP16 (the embedding LayerNorm stays
 *   FP32) and GELU as x * sigmoid(1.702 x);
 * - int8: the dense kernels quantized per output channel (dynamic quantization of the
 *   activations at run time), everything else FP32.
 */
export type PrecisionPolicy = 'fp32' | 'mixed' | 'aggressive' | 'int8';

export const PRECISION_POLICIES: readonly PrecisionPolicy[] = ['fp32', 'mixed', 'aggressive', 'int8'];

export function isPrecisionPolicy(s: string): s is PrecisionPolicy {
  return (PRECISION_POLICIES as readonly string[]).includes(s);
}

/** The float type a node computes in. */
export type FloatPrecision = 'float32' | 'float16';

/** Regions that compute in FP16 under the mixed policy. */
const MIXED_FP16_REGIONS: ReadonlySet<BertRegion> = new Set<BertRegion>([
  'attention',
  'attention-output',
  'ffn',
  'pooler',
  'head',
]);

/** LayerNorm ops: FP32 unless aggressive, whatever region holds them (a pretraining head's transform LayerNorm). */
const LAYER_NORM_OPS: ReadonlySet<string> = new Set([
  'LayerNormalization',
  'SkipLayerNormalization',
  'SimplifiedLayerNormalization',
  'SkipSimplifiedLayerNormalization',
]);

/**
 * The float type a policy gives a node, from its region: FP16 regions as listed above, FP32
 * elsewhere, and FP32 for nodes without a region. fp32 and int8 keep every node in FP32.
 */
export function nodeFloatPrecision(policy: PrecisionPolicy, node: Node): FloatPrecision {
  if (policy === 'fp32' || policy === 'int8') return 'float32';
  const region = regionOf(node);
  if (region === undefined) return 'float32';
  const layerNorm = LAYER_NORM_OPS.has(node.opType);
  if (policy === 'aggressive') {
    if (region === 'layernorm') return 'float16';
    if (region === 'embeddings-layernorm') return 'float32';
    if (layerNorm) return MIXED_FP16_REGIONS.has(region) ? 'float16' : 'float32';
  }
  if (layerNorm) return 'float32';
  return MIXED_FP16_REGIONS.has(region) ? 'float16' : 'float32';
}
