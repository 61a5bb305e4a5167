import {
  type DataType,
  type Dim,
  type Graph,
  GraphIrError,
  Model,
  type Node,
  type Value,
  verifyModel,
} from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import { type Placement, placementOf } from '../regions.js';

/** A tensor the host part hands to the device part. */
export interface BoundaryTensor {
  readonly name: string;
  readonly dtype: DataType | undefined;
  readonly shape: readonly Dim[] | undefined;
}

/** A model split by placement: run `host`, then `device` with the boundary tensors as extra inputs. */
export interface PartitionedModel {
  readonly host: Model;
  readonly device: Model;
  /** Host outputs the device reads, in the order the device first reads them. */
  readonly boundary: readonly BoundaryTensor[];
}

/** Model metadata key naming the side of a part ('host' or 'device'). */
export const PARTITION_METADATA_KEY = 'bert.partition';

function fail(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_PARTITION', message);
}

/** A new model with the source's opsets and fields, to hold one side's nodes. */
function emptyLike(source: Model, side: Placement): Model {
  const m = new Model({ irVersion: source.irVersion, opsetImports: source.opsetImports });
  m.producerName = source.producerName;
  m.producerVersion = source.producerVersion;
  m.domain = source.domain;
  m.modelVersion = source.modelVersion;
  m.docString = source.docString;
  for (const [k, v] of source.metadata) m.metadata.set(k, v);
  m.metadata.set(PARTITION_METADATA_KEY, side);
  m.functions = [...source.functions];
  m.graph.name = `${source.graph.name}_${side}`;
  return m;
}

function declare(v: Value): { name: string; dtype?: DataType; shape?: Dim[] } {
  return {
    name: v.name,
    ...(v.dtype !== undefined ? { dtype: v.dtype } : {}),
    ...(v.shape !== undefined ? { shape: [...v.shape] } : {}),
  };
}

/**
 * Copy `nodes` (in order) into `part`: `inputs` become its graph inputs, initializers they read
 * are added as the same Tensor objects (views, not copies), node outputs keep names, dtypes and
 * shapes; `outputs` become its graph outputs.
 */
function fill(
  part: Model,
  nodes: readonly Node[],
  inputs: readonly Value[],
  outputs: readonly Value[],
): void {
  const g = part.graph;
  const map = new Map<Value, Value>();
  for (const v of inputs) map.set(v, g.addInput(v.name, v.dtype, v.shape ? [...v.shape] : undefined));
  const mapped = (v: Value): Value => {
    const known = map.get(v);
    if (known !== undefined) return known;
    let copy: Value;
    if (v.initializer !== undefined) copy = g.addInitializer(v.name, v.initializer);
    else if (v.sparseInitializer !== undefined) copy = g.addSparseInitializer(v.name, v.sparseInitializer);
    else throw fail(`value '${v.name}' is read before it is produced in the ${part.graph.name} part`);
    copy.docString = v.docString;
    map.set(v, copy);
    return copy;
  };
  for (const n of nodes) {
    const copy = g.addNode({
      opType: n.opType,
      domain: n.domain,
      name: n.name,
      inputs: n.inputs.map((v) => (v === null ? null : mapped(v))),
      outputs: n.outputs.map((o) => (o === null ? null : declare(o))),
      attributes: n.attributes,
      metadata: Object.fromEntries(n.metadata),
    });
    copy.overload = n.overload;
    copy.docString = n.docString;
    n.outputs.forEach((o, i) => {
      if (o !== null) map.set(o, copy.outputs[i]!);
    });
  }
  g.setOutputs(outputs.map(mapped));
}

/**
 * Split a model whose nodes carry `placement` metadata (assignPlacement) into a host part and a
 * device part:
 * - host: the host nodes; inputs the graph inputs they read; outputs the boundary tensors (host
 *   values device nodes read, under their original names) and the graph outputs computed on the host;
 * - device: the device nodes; inputs the boundary tensors and the graph inputs device nodes read;
 *   outputs the graph outputs computed on the device, names unchanged.
 * Initializers go to each side that reads them, as the same tensors (no copies); opsets, dtypes
 * and shapes are kept. Running host and then device on the host's outputs gives the whole
 * model's outputs. BRW_ERR_PARTITION: a node without placement, a host node reading a device value,
 * a graph output no node computes (it would be lost), a side with no nodes, subgraphs.
 */
export function partition(model: Model): PartitionedModel {
  const g: Graph = model.graph;
  const unplaced = g.nodes.filter((n) => placementOf(n) === undefined);
  if (unplaced.length > 0)
    throw fail(
      `${unplaced.length} node(s) have no placement (first: ${unplaced[0]!.describe()}); run assignPlacement first`,
    );
  const withSubgraphs = g.nodes.find((n) => n.subgraphs().length > 0);
  if (withSubgraphs) throw fail(`${withSubgraphs.describe()} has subgraphs, which partition does not split`);
  const side = (n: Node): Placement => placementOf(n)!;
  const host = g.nodes.filter((n) => side(n) === 'host');
  const device = g.nodes.filter((n) => side(n) === 'device');
  for (const n of host)
    for (const v of n.inputs)
      if (v?.producer && side(v.producer) === 'device')
        throw fail(
          `${n.describe()} is on the host but reads '${v.name}' from ${v.producer.describe()} on the device; the host part runs first`,
        );
  if (host.length === 0) throw fail('no node is placed on the host; there is nothing to partition');
  if (device.length === 0) throw fail('no node is placed on the device; there is nothing to partition');

  const boundary: Value[] = [];
  const deviceInputs: Value[] = [];
  const graphInputs = new Set(g.inputs);
  for (const n of device)
    for (const v of n.inputs) {
      if (v === null) continue;
      if (v.producer !== null && side(v.producer) === 'host' && !boundary.includes(v)) boundary.push(v);
      if (graphInputs.has(v) && !deviceInputs.includes(v)) deviceInputs.push(v);
    }
  const hostReads = new Set(host.flatMap((n) => n.inputs.filter((v): v is Value => v !== null)));
  const hostInputs = g.inputs.filter((v) => hostReads.has(v));
  const hostOutputs = [...boundary];
  const deviceOutputs: Value[] = [];
  for (const v of g.outputs) {
    if (v.producer === null)
      throw fail(
        `graph output '${v.name}' is a graph input or initializer, not computed by any node; it would be lost in the partition`,
      );
    if (side(v.producer) === 'host') {
      if (!hostOutputs.includes(v)) hostOutputs.push(v);
    } else if (!deviceOutputs.includes(v)) deviceOutputs.push(v);
  }
  if (deviceOutputs.length === 0)
    throw fail('every graph output is computed on the host; the device part would produce nothing');

  const hostModel = emptyLike(model, 'host');
  const deviceModel = emptyLike(model, 'device');
  try {
    fill(hostModel, host, hostInputs, hostOutputs);
    fill(
      deviceModel,
      device,
      [...boundary, ...deviceInputs.filter((v) => !boundary.includes(v))],
      deviceOutputs,
    );
    verifyModel(hostModel);
    verifyModel(deviceModel);
  } catch (e) {
    if (e instanceof GraphIrError)
      throw new BertRewriteError('BRW_ERR_INTERNAL', `partitioning failed: ${e.message}`, { cause: e });
    throw e;
  }
  return {
    host: hostModel,
    device: deviceModel,
    boundary: boundary.map((v) => ({
      name: v.name,
      dtype: v.dtype,
      shape: v.shape === undefined ? undefined : [...v.shape],
    })),
  };
}
