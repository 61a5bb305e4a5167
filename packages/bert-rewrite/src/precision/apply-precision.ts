import type { DataType, Logger, Model } from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import { type BertRegion, META } from '../regions.js';
import { countParameters, type ParameterTally } from '../report/count-parameters.js';
import { countNodesByPrecision, type NodePrecision } from '../report/node-precision.js';
import { cleanupCasts } from './cleanup-casts.js';
import { convertFloatTypes, PRECISION_RULE } from './convert-float-types.js';
import { type GeluRewriteResult, rewriteGeluAsSigmoid } from './gelu-to-sigmoid.js';
import {
  INT8_REGIONS,
  isPrecisionPolicy,
  nodeFloatPrecision,
  PRECISION_POLICIES,
  type PrecisionPolicy,
} from './precision-policy.js';
import { countFloatDenseLayers, type QuantizeDenseResult, quantizeDenseLayers } from './quantize-dense.js';

export interface ApplyPrecisionOptions {
  readonly logger?: Logger;
}

/** What the int8 policy quantized, and the dense layers it left in FP32. */
export interface Int8Stats extends QuantizeDenseResult {
  /** The regions whose dense layers were quantized (INT8_REGIONS). */
  readonly regions: readonly BertRegion[];
  /** Dense layers of the other regions (attention projections, pooler, head), computed in FP32. */
  readonly keptFloat32: number;
}

/** What applyPrecision did, and the model's precision profile afterwards. */
export interface PrecisionStats {
  readonly policy: PrecisionPolicy;
  /** Casts the policy added that are still in the graph (region boundaries, graph outputs). */
  readonly castsInserted: number;
  /** Casts removed as redundant (to the type their input has) or shortened chains, by the cleanup. */
  readonly castsRemoved: number;
  /** Clips saturating a mask bias before its FP16 cast. */
  readonly saturations: number;
  /** Constants given a copy in another float type. */
  readonly constantsConverted: number;
  /** Constant elements clamped into the float16 range. */
  readonly clampedElements: number;
  /** aggressive: the GELU rewrite; null otherwise. */
  readonly gelu: GeluRewriteResult | null;
  /** int8: the dense-layer quantization; null otherwise. */
  readonly int8: Int8Stats | null;
  /** Main-graph nodes by what they compute in. */
  readonly nodesByPrecision: Partial<Record<NodePrecision, number>>;
  /** Constants by dtype (elements, bytes, tensors). */
  readonly parametersByDtype: Partial<Record<DataType, ParameterTally>>;
}

/**
 * Apply a precision policy (see PrecisionPolicy) to a model whose nodes carry `bert.region`
 * metadata, in place:
 * - fp32: nothing changes;
 * - mixed / aggressive: (aggressive: every GELU becomes x * sigmoid(1.702 x) first) each node
 *   computes in the float type nodeFloatPrecision gives it, with casts only where a value crosses
 *   between FP16 and FP32 nodes, one per (value, type), FP16 copies of constants (clamped into
 *   range), graph inputs and outputs in their dtypes; then redundant casts are cleaned up;
 * - int8: the feed-forward dense layers (INT8_REGIONS) quantized per output channel into
 *   DynamicQuantizeMatMul, the rest (attention projections, pooler, head included) FP32.
 * Integer tensors are never touched. An unknown policy is BRW_ERR_OPTION.
 */
export function applyPrecision(
  model: Model,
  policy: PrecisionPolicy,
  options: ApplyPrecisionOptions = {},
): PrecisionStats {
  if (typeof policy !== 'string' || !isPrecisionPolicy(policy))
    throw new BertRewriteError(
      'BRW_ERR_OPTION',
      `unknown precision policy '${String(policy)}'; use one of ${PRECISION_POLICIES.join(', ')}`,
    );
  let gelu: GeluRewriteResult | null = null;
  let int8: Int8Stats | null = null;
  let converted = { saturations: 0, constantsConverted: 0, clampedElements: 0 };
  let castsRemoved = 0;
  if (policy === 'int8') {
    const quantized = quantizeDenseLayers(model, { regions: INT8_REGIONS });
    int8 = { ...quantized, regions: INT8_REGIONS, keptFloat32: countFloatDenseLayers(model) };
    options.logger?.info?.(
      `precision int8: ${int8.quantized} dense layers quantized (${INT8_REGIONS.join(', ')}), ${int8.keptFloat32} kept in FP32`,
    );
  } else if (policy === 'mixed' || policy === 'aggressive') {
    if (policy === 'aggressive') gelu = rewriteGeluAsSigmoid(model);
    converted = convertFloatTypes(model, (n) => nodeFloatPrecision(policy, n));
    const c = cleanupCasts(model);
    castsRemoved = c.redundantRemoved + c.chainsShortened;
  }
  const castsInserted = model.graph.nodes.filter(
    (n) => n.opType === 'Cast' && n.domain === '' && n.metadata.get(META.rule) === PRECISION_RULE,
  ).length;
  if (policy === 'mixed' || policy === 'aggressive')
    options.logger?.info?.(
      `precision ${policy}: ${castsInserted} casts, ${converted.constantsConverted} constants converted`,
    );
  return {
    policy,
    castsInserted,
    castsRemoved,
    saturations: converted.saturations,
    constantsConverted: converted.constantsConverted,
    clampedElements: converted.clampedElements,
    gelu,
    int8,
    nodesByPrecision: countNodesByPrecision(model),
    parametersByDtype: countParameters(model).byDtype,
  };
}
