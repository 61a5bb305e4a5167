// Building the LayerNormalization node both LayerNorm fusions emit.
import { attr, type Graph, type Node, Tensor, type Value } from '@bert-neuron/graph-ir';
import { uniqueNodeName } from './node-name.js';

/** The size of the normalized (last) axis of x, when static. */
export function lastDim(x: Value): number | undefined {
  const d = x.shape?.[x.shape.length - 1];
  return typeof d === 'number' ? d : undefined;
}

/**
 * A per-channel constant as LayerNormalization wants it ([H], same element type as x): a [H] or
 * [1, .., 1, H] constant, or a one-element one broadcast to [H] when H is known. Undefined when it
 * does not fit.
 */
export function channelVector(c: Value, x: Value): Tensor | undefined {
  const t = c.constant;
  if (t === undefined || t.dtype !== x.dtype) return undefined;
  const h = lastDim(x);
  if (t.size === 1 && t.rank <= 1 && h !== undefined)
    return Tensor.fromNumbers(t.dtype, [h], new Array(h).fill(t.getNumber(0)));
  const dims = t.dims;
  if (dims.length === 0 || dims.slice(0, -1).some((d) => d !== 1)) return undefined;
  if (x.shape !== undefined && dims.length > x.shape.length) return undefined;
  const n = dims[dims.length - 1]!;
  if (h !== undefined && n !== h) return undefined;
  return dims.length === 1 ? t : t.reshape([n]);
}

/** A constant input for LayerNormalization: the original value when it already is [H], else a new initializer. */
function channelInput(graph: Graph, c: Value, t: Tensor, name: string): Value {
  if (c.constant === t) return c;
  return graph.addInitializer(graph.uniqueName(name), t);
}

export interface LayerNormParts {
  readonly x: Value;
  /** Scale: the gamma constant and its [H] tensor, or null for none (ones). */
  readonly gamma: { value: Value; tensor: Tensor } | null;
  readonly beta: { value: Value; tensor: Tensor } | null;
  readonly epsilon: number;
}

/** Emit `LayerNormalization(x, gamma, beta)` over the last axis just before `before`, typed like x. */
export function emitLayerNorm(graph: Graph, parts: LayerNormParts, before: Node, name: string): Value {
  const { x } = parts;
  const h = lastDim(x);
  const gamma = parts.gamma
    ? channelInput(graph, parts.gamma.value, parts.gamma.tensor, `${name}.gamma`)
    : graph.addInitializer(
        graph.uniqueName(`${name}.gamma`),
        Tensor.fromNumbers(x.dtype!, [h!], new Array(h!).fill(1)),
      );
  const inputs = [x, gamma];
  if (parts.beta) inputs.push(channelInput(graph, parts.beta.value, parts.beta.tensor, `${name}.beta`));
  const ln = graph.addNode({
    opType: 'LayerNormalization',
    name: uniqueNodeName(graph, name),
    inputs,
    attributes: { axis: attr.int(-1), epsilon: attr.float(parts.epsilon) },
    outputs: [
      { name: graph.uniqueName(`${name}_out`), dtype: x.dtype, shape: x.shape ? [...x.shape] : undefined },
    ],
    before,
  });
  return ln.out;
}
