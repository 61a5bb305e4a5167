import type { Model } from '@bert-neuron/graph-ir';
import type { BoundaryTensor, PartitionedModel } from '../placement/partition.js';
import { countParameters } from './count-parameters.js';

/** Size of one side of a partition. */
export interface PartitionSideSize {
  readonly nodes: number;
  /** Constant elements (initializers and Constant nodes). */
  readonly parameters: number;
  readonly bytes: number;
}

export interface PartitionSizes {
  readonly host: PartitionSideSize;
  readonly device: PartitionSideSize;
  readonly boundary: readonly BoundaryTensor[];
}

function sideSize(m: Model): PartitionSideSize {
  const p = countParameters(m).total;
  return { nodes: m.graph.nodes.length, parameters: p.count, bytes: p.bytes };
}

/** Nodes, parameters and bytes per side (a tensor both sides read counts on both). */
export function partitionSizes(p: PartitionedModel): PartitionSizes {
  return { host: sideSize(p.host), device: sideSize(p.device), boundary: p.boundary };
}
