import type { DataType } from '@bert-neuron/graph-ir';
import type { BertConfig, GeluForm } from '../bert-config.js';
import type { BertHeadKind } from '../head.js';
import type { PrecisionPolicy } from '../precision/precision-policy.js';
import type { BertRegion } from '../regions.js';
import type { ParameterTally } from './count-parameters.js';
import type { NodePrecision } from './node-precision.js';
import type { PartitionSizes } from './partition-sizes.js';

/** Which rewrite produced the model: rebuilt from extracted weights, or rewritten in place. */
export type RewritePath = 'model' | 'no-model';

/**
 * What bert-rewrite did to a model, as the JSON report (`--report`) holds it. Counts are of the
 * main graph; FLOPs are per sequence at `flops.sequence`.
 */
export interface RewriteReport {
  readonly path: RewritePath;
  readonly precision: PrecisionPolicy;
  /** What detection found in the source model. */
  readonly detected: {
    readonly config: BertConfig;
    readonly head: BertHeadKind;
    readonly gelu: GeluForm;
    /** Observations that did not stop detection. */
    readonly notes: readonly string[];
  };
  /** Rewrite rules (no-model path; the model path reports its builder as one rule). */
  readonly rules: {
    /** Times each rule fired (every rule listed). */
    readonly fired: Record<string, number>;
    /** Sites a rule matched but its check refused, by rule and reason. */
    readonly rejected: Record<string, Record<string, number>>;
  };
  /** Nodes in the source and the result. */
  readonly nodes: { readonly before: number; readonly after: number };
  /** Op types with fewer nodes in the result than in the source, and how many fewer. */
  readonly opsRemoved: Record<string, number>;
  readonly casts: {
    /** Casts the precision policy added (still in the result). */
    readonly inserted: number;
    /** Redundant casts the cleanup removed. */
    readonly removed: number;
  };
  /** int8: the regions whose dense layers were quantized, how many, and how many stayed FP32; null otherwise. */
  readonly int8: {
    readonly regions: readonly BertRegion[];
    readonly quantized: number;
    readonly keptFloat32: number;
  } | null;
  /** Result nodes by what they compute in. */
  readonly nodesByPrecision: Partial<Record<NodePrecision, number>>;
  /** Result constants by dtype (elements, bytes, tensors). */
  readonly parametersByDtype: Partial<Record<DataType, ParameterTally>>;
  readonly flops: {
    readonly batch: number;
    readonly sequence: number;
    /** Matrix-product FLOPs per sequence counted on the result graph (null when its shapes could not be specialized; see notes). */
    readonly perSequence: number | null;
    /** The analytic figure for the detected config (bertFlops). */
    readonly analyticPerSequence: number;
    /** Elementwise and normalization FLOPs per sequence (rougher; null as perSequence). */
    readonly elementwisePerSequence: number | null;
  };
  /** Host and device parts: nodes, parameters, bytes, and the boundary tensors. */
  readonly partition: PartitionSizes;
}
