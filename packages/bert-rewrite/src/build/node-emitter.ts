import {
  type Attribute,
  type DataType,
  type Dim,
  type Graph,
  GraphIrError,
  type Node,
  Tensor,
  type Value,
} from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import { type BertRegion, META, tagNode } from '../regions.js';

/** The `rule` metadata every node of the built model carries. */
export const BUILDER_RULE = 'build-neuron-bert';

export interface EmitOptions {
  /** Node name relative to the emitter's scope (default: the op type). */
  readonly name?: string;
  readonly attributes?: Record<string, Attribute>;
  /** Output value name (default `<node name>:0`); graph outputs take the source model's names. */
  readonly output?: string;
  /** Output dtype (default float32) and shape, recorded on the value. */
  readonly dtype?: DataType;
  readonly shape?: Dim[];
  /** Insert the node right after this one (default: at the end of the graph). */
  readonly after?: Node;
}

interface SharedState {
  readonly graph: Graph;
  /** Node names handed out, for `_N` suffixes on repeats. */
  readonly nodeNames: Map<string, number>;
}

/**
 * Emits nodes into a graph under a name scope (`encoder/layer_3/attention`), tagging each with
 * a region, the layer index and the builder rule. Weights and constants are initializers named
 * `<scope>/<name>`; nothing is a Constant node.
 */
export class NodeEmitter {
  readonly graph: Graph;
  readonly scope: string;
  readonly region: BertRegion;
  readonly layer: number | undefined;
  readonly #state: SharedState;

  private constructor(state: SharedState, scope: string, region: BertRegion, layer: number | undefined) {
    this.#state = state;
    this.graph = state.graph;
    this.scope = scope;
    this.region = region;
    this.layer = layer;
  }

  /** The root emitter of a graph (empty scope). */
  static root(graph: Graph, region: BertRegion): NodeEmitter {
    return new NodeEmitter({ graph, nodeNames: new Map() }, '', region, undefined);
  }

  /** A sub-scope `<scope>/<path>`, optionally in another region or layer. */
  at(path: string, region: BertRegion = this.region, layer: number | undefined = this.layer): NodeEmitter {
    return new NodeEmitter(this.#state, this.#path(path), region, layer);
  }

  /** The same scope in another region (layer kept). */
  inRegion(region: BertRegion): NodeEmitter {
    return new NodeEmitter(this.#state, this.scope, region, this.layer);
  }

  #path(name: string): string {
    return this.scope === '' ? name : `${this.scope}/${name}`;
  }

  #nodeName(base: string): string {
    const stem = this.#path(base);
    const n = this.#state.nodeNames.get(stem) ?? 0;
    this.#state.nodeNames.set(stem, n + 1);
    return n === 0 ? stem : `${stem}_${n}`;
  }

  /** Add a tagged single-output node; returns its output. */
  op(opType: string, inputs: readonly Value[], options: EmitOptions = {}): Value {
    return this.ops(opType, inputs, 1, options)[0]!;
  }

  /** Add a tagged node with `count` outputs named `<node>:i` (all float32 of `shape` when given). */
  ops(opType: string, inputs: readonly Value[], count: number, options: EmitOptions = {}): Value[] {
    const name = this.#nodeName(options.name ?? opType);
    const outputs = Array.from({ length: count }, (_, i) => ({
      name: i === 0 && options.output !== undefined ? options.output : this.graph.uniqueName(`${name}:${i}`),
      dtype: options.dtype ?? 'float32',
      ...(options.shape ? { shape: [...options.shape] } : {}),
    }));
    try {
      const node = this.graph.addNode({
        opType,
        name,
        inputs,
        outputs,
        attributes: options.attributes ?? {},
        ...(options.after ? { after: options.after } : {}),
      });
      tagNode(node, this.region, this.layer);
      node.metadata.set(META.rule, BUILDER_RULE);
      return node.outputs as Value[];
    } catch (e) {
      if (e instanceof GraphIrError)
        throw new BertRewriteError('BRW_ERR_INTERNAL', `building ${opType} '${name}' failed: ${e.message}`, {
          cause: e,
        });
      throw e;
    }
  }

  /** An initializer `<scope>/<name>` holding `tensor` (not copied). */
  weight(name: string, tensor: Tensor): Value {
    return this.graph.addInitializer(this.graph.uniqueName(this.#path(name)), tensor);
  }

  /** A float32 initializer over `data` (not copied). */
  float32(name: string, dims: readonly number[], data: Float32Array): Value {
    return this.weight(name, Tensor.from('float32', dims, data));
  }

  /** A 1-D int64 initializer (a shape, axes, indices). */
  int64s(name: string, values: readonly number[]): Value {
    return this.weight(name, Tensor.int64([values.length], values));
  }

  /** A float32 scalar initializer. */
  scalar(name: string, value: number): Value {
    return this.weight(name, Tensor.scalar('float32', value));
  }
}
