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
 * - int8: the feed-forward dense layers (INT8_REGIONS) with kernels quantized per output channel
 *   and activations quantized per tensor at run time (DynamicQuantizeMatMul); the attention
 *   projections, the pooler, the head and everything else FP32.
 */
export type PrecisionPolicy = 'fp32' | 'mixed' | 'aggressive' | 'int8';

export const PRECISION_POLICIES: readonly PrecisionPolicy[] = ['fp32', 'mixed', 'aggressive', 'int8'];

export function isPrecisionPolicy(s: string): s is PrecisionPolicy {
  return (PRECISION_POLICIES as readonly string[]).includes(s);
}

/**
 * The regions whose dense layers the int8 policy quantizes: the feed-forward (intermediate and
 * output dense, 2/3 of an encoder layer's dense FLOPs). The others stay FP32:
 * - the attention projections (Q, K, V, attention output): 8 bits is too coarse there. Per-tensor
 *   uint8 activations and per-channel int8 kernels put about 1.1e-2 relative noise on each product;
 *   finer activation scales do not help enough (per row ~0.9e-2, blocks of 32 ~0.75e-2) and the
 *   int8 kernels alone already give ~0.7e-2. The attention sublayer writes that noise into the
 *   residual stream at full strength and the next softmax amplifies it: over 10-12 seeds of
 *   bert-models' default weights, all dense layers int8 moved mini's logits by a median 7e-2
 *   relative (9 of 10 seeds above 5e-2), its QA logits by 1.1e-1 and its hidden states by 2.5e-1;
 *   leaving Q and K in FP32 was not enough (median 4.3e-2 / 6.1e-2), nor Q, K and V (2.9e-2 /
 *   4.5e-2, up to 7.1e-2). With the feed-forward alone: median 3.4e-3 / 5.1e-3 / 1.2e-2, at most
 *   1.6e-2 (and 2e-3 to 5e-3 on better-conditioned weights, queryKeyGain 1).
 * - the pooler and the task head: [batch, hidden] products whose FLOPs are negligible, and whose
 *   small per-tensor-quantized inputs cost up to 1.5e-2 by themselves.
 * Measured speed (onnxruntime 'all' optimizations, 1 thread, batch 6, sequence 128): BERT-base
 * 630 ms FP32, 350 ms with the feed-forward int8 (1.8x), 215 ms with every dense layer int8; mini
 * 25 ms, 16 ms, 12 ms (2-core machine shared with other jobs: ratios hold, times vary).
 */
export const INT8_REGIONS: readonly BertRegion[] = ['ffn'];

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
