import {
  applyPrecision,
  assignPlacement,
  type BoundaryTensor,
  type PrecisionPolicy,
  type PrecisionStats,
  partition,
} from '@bert-neuron/bert-rewrite';
import {
  applyRules,
  bindInputDims,
  deadCodeEliminationPass,
  inferShapes,
  type Logger,
  type Model,
  runPasses,
  specializeShapes,
} from '@bert-neuron/graph-ir';
import { type DeviceFusionReport, fuseDevice } from '../fuse/device-fusions.js';
import { STATIC_RESHAPE_TARGETS, staticReshapeTargetsRule } from './static-reshape-targets.js';

/** The host part of one bucket: the model specialized to [batch, bucket] and folded. */
export interface HostPartition {
  readonly bucket: number;
  readonly model: Model;
}

export interface PreparedPartitions {
  /** One host partition per bucket, ascending. */
  readonly hosts: readonly HostPartition[];
  /** One device partition, sequence symbolic (batch fixed), serving every bucket. */
  readonly device: Model;
  /** The tensors the host hands to the device. */
  readonly boundary: readonly BoundaryTensor[];
  readonly precision: PrecisionStats;
  /** Reshape targets made constant (no shape arithmetic crosses to the device). */
  readonly staticReshapeTargets: number;
  /** null when fusion was turned off. */
  readonly fusion: DeviceFusionReport | null;
}

export interface PreparePartitionsOptions {
  readonly batch: number;
  readonly buckets: readonly number[];
  readonly precision: PrecisionPolicy;
  /** Emit the fused device ops (default true). */
  readonly fuse?: boolean;
  readonly logger?: Logger;
}

/** Bind the sequence dim of every rank-2 graph input of a part to `bucket` and fold what follows. */
export function specializeToBucket(model: Model, batch: number, bucket: number): void {
  const dims: Record<string, (number | null)[]> = {};
  for (const v of model.graph.inputs)
    if (!v.isInitializer && v.shape?.length === 2 && (v.dtype === 'int64' || v.dtype === 'int32'))
      dims[v.name] = [batch, bucket];
  specializeShapes(model, bindInputDims(model, dims), { onConflict: 'replace' });
}

/**
 * From a rewritten whole model (regions tagged, batch fixed, sequence symbolic) to the artifact's
 * partitions, in place on `model`:
 * - every Reshape target that the fixed batch determines becomes a constant (static-reshape-targets)
 *   and the shape arithmetic that fed them goes; shapes are inferred;
 * - the precision policy (bert-rewrite's applyPrecision) and placement (assignPlacement);
 * - partition per bucket: each host part specialized to [batch, bucket] and folded; one device
 *   part, its sequence left symbolic so that it serves every bucket with one copy of the weights,
 *   fused for onnxruntime (fuseDevice). Partitions share the weight tensors with `model`.
 */
export function preparePartitions(model: Model, options: PreparePartitionsOptions): PreparedPartitions {
  const staticTargets = applyRules(model, [staticReshapeTargetsRule]).fired[STATIC_RESHAPE_TARGETS] ?? 0;
  runPasses(model, [deadCodeEliminationPass()]);
  inferShapes(model, { onConflict: 'replace' });
  const precision = applyPrecision(
    model,
    options.precision,
    options.logger ? { logger: options.logger } : {},
  );
  assignPlacement(model);
  let device: Model | null = null;
  let boundary: readonly BoundaryTensor[] = [];
  const hosts: HostPartition[] = [];
  for (const bucket of options.buckets) {
    const p = partition(model);
    if (device === null) {
      device = p.device;
      boundary = p.boundary;
    }
    specializeToBucket(p.host, options.batch, bucket);
    hosts.push({ bucket, model: p.host });
  }
  const fusion =
    options.fuse === false ? null : fuseDevice(device!, options.logger ? { logger: options.logger } : {});
  return { hosts, device: device!, boundary, precision, staticReshapeTargets: staticTargets, fusion };
}
