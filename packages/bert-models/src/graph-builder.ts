import { type Attribute, attr, type Graph, type Model, Tensor, type Value } from '@bert-neuron/graph-ir';
import { BertModelsError } from './errors.js';

/**
 * How an exporter names things.
 * - `torch`: torch.onnx (1.13+) scope names: node `/bert/encoder/layer.0/attention/self/query/MatMul`,
 *   output `<node>_output_0`; constants are `Constant` nodes.
 * - `tf`: tf2onnx names: node `bert/encoder/layer_0/attention/self/query/MatMul`, output `<node>:0`;
 *   constants are initializers.
 */
export type NamingStyle = 'torch' | 'tf';

/**
 * A thin layer over graph-ir's Graph that names nodes the way an exporter does and emits the
 * opset-appropriate form of the ops whose signature changed between opsets 11 and 17.
 */
export class GraphBuilder {
  readonly model: Model;
  readonly graph: Graph;
  readonly opset: number;
  readonly style: NamingStyle;
  /** The current name scope (`/bert/embeddings` or `bert/embeddings`). */
  scope = '';
  readonly #counts = new Map<string, number>();

  constructor(model: Model, style: NamingStyle) {
    this.model = model;
    this.graph = model.graph;
    const opset = model.opset('');
    if (opset === undefined)
      throw new BertModelsError('BMD_ERR_INTERNAL', 'the model imports no ai.onnx opset');
    this.opset = opset;
    this.style = style;
  }

  /** Run `fn` with `scope` as the current scope, then restore the previous one. */
  in<T>(scope: string, fn: () => T): T {
    const saved = this.scope;
    this.scope = scope;
    try {
      return fn();
    } finally {
      this.scope = saved;
    }
  }

  /** A fresh node name `<scope>/<base>`, with `_N` appended on repeats, as the exporters do. */
  #nodeName(base: string): string {
    const stem = this.scope === '' && this.style === 'tf' ? base : `${this.scope}/${base}`;
    const n = this.#counts.get(stem) ?? 0;
    this.#counts.set(stem, n + 1);
    return n === 0 ? stem : `${stem}_${n}`;
  }

  #outputName(node: string, index: number): string {
    return this.style === 'torch' ? `${node}_output_${index}` : `${node}:${index}`;
  }

  /** Add a node with `outputs` results; `names` overrides the output names (e.g. graph outputs). */
  ops(
    opType: string,
    inputs: readonly (Value | null)[],
    outputs: number,
    attributes: Record<string, Attribute> = {},
    names?: readonly (string | undefined)[],
  ): Value[] {
    const name = this.#nodeName(opType);
    const outs = Array.from({ length: outputs }, (_, i) => names?.[i] ?? this.#outputName(name, i));
    const node = this.graph.addNode({ opType, name, inputs, outputs: outs, attributes });
    return node.outputs as Value[];
  }

  /** Add a single-output node. */
  op(
    opType: string,
    inputs: readonly (Value | null)[],
    attributes: Record<string, Attribute> = {},
    name?: string,
  ): Value {
    return this.ops(opType, inputs, 1, attributes, [name])[0]!;
  }

  /** An initializer holding a weight. */
  weight(name: string, tensor: Tensor): Value {
    return this.graph.addInitializer(name, tensor);
  }

  /** A constant: a `Constant` node (torch) or an initializer named after the scope (tf). */
  constant(tensor: Tensor, hint = 'Const'): Value {
    if (this.style === 'torch') return this.op('Constant', [], { value: attr.tensor(tensor) });
    const stem = this.scope === '' ? hint : `${this.scope}/${hint}`;
    return this.graph.addInitializer(this.graph.uniqueName(stem), tensor);
  }

  /** A float32 scalar constant. */
  scalar(value: number, hint?: string): Value {
    return this.constant(Tensor.scalar('float32', value), hint);
  }

  /** A 1-D int64 constant. */
  ints(values: readonly number[], hint?: string): Value {
    return this.constant(Tensor.int64([values.length], values), hint);
  }

  /** A scalar int64 constant. */
  intScalar(value: number, hint?: string): Value {
    return this.constant(Tensor.int64([], [value]), hint);
  }

  /** Unsqueeze: axes attribute before opset 13, axes input from 13. */
  unsqueeze(x: Value, axes: readonly number[]): Value {
    if (this.opset < 13) return this.op('Unsqueeze', [x], { axes: attr.ints(axes) });
    return this.op('Unsqueeze', [x, this.ints(axes, 'axes')]);
  }

  /** Squeeze: axes attribute before opset 13, axes input from 13. */
  squeeze(x: Value, axes: readonly number[], name?: string): Value {
    if (this.opset < 13) return this.op('Squeeze', [x], { axes: attr.ints(axes) }, name);
    return this.op('Squeeze', [x, this.ints(axes, 'axes')], {}, name);
  }

  /** ReduceMean: axes is an attribute through opset 17. */
  reduceMean(x: Value, axes: readonly number[], keepdims = true): Value {
    return this.op('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) });
  }

  /** Split into pieces of `sizes` along `axis`: split attribute before opset 13, input from 13. */
  split(x: Value, axis: number, sizes: readonly number[]): Value[] {
    if (this.opset < 13)
      return this.ops('Split', [x], sizes.length, { axis: attr.int(axis), split: attr.ints(sizes) });
    return this.ops('Split', [x, this.ints(sizes, 'split')], sizes.length, { axis: attr.int(axis) });
  }

  /** Slice (inputs form, opset >= 10); `steps` omitted when not given. */
  slice(x: Value, starts: Value, ends: Value, axes: Value, steps?: Value): Value {
    return this.op('Slice', steps ? [x, starts, ends, axes, steps] : [x, starts, ends, axes]);
  }

  /** Inference-mode Dropout: ratio attribute before opset 12; ratio and training_mode inputs from 12. */
  dropout(x: Value, ratio: number): Value {
    if (this.opset < 12) return this.op('Dropout', [x], { ratio: attr.float(ratio) });
    const r = this.scalar(ratio, 'ratio');
    const training = this.constant(Tensor.from('bool', [], Uint8Array.of(0)), 'training_mode');
    return this.op('Dropout', [x, r, training]);
  }

  /**
   * Softmax over the last axis of a rank-`rank` tensor. Before opset 13 Softmax flattens at `axis`,
   * so the exporters write the last axis as a positive number; from 13 they write -1.
   */
  softmaxLast(x: Value, rank: number, name?: string): Value {
    return this.op('Softmax', [x], { axis: attr.int(this.opset < 13 ? rank - 1 : -1) }, name);
  }
}
