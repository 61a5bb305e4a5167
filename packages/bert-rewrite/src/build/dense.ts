import type { Dim, Value } from '@bert-neuron/graph-ir';
import type { DenseWeights } from '../bert-weights.js';
import type { NodeEmitter } from './node-emitter.js';

/**
 * A dense layer `y = x @ kernel + bias` on rows of x ([rows, in] -> [rows, out]): a MatMul with
 * the [in, out] kernel and an Add of the bias, named `<scope>/MatMul`, `<scope>/BiasAdd` with the
 * initializers `<scope>/kernel`, `<scope>/bias`. The weights' arrays are used as they are.
 */
export function emitDense(
  e: NodeEmitter,
  x: Value,
  w: DenseWeights,
  rows: readonly Dim[],
  output?: string,
): Value {
  const kernel = e.float32('kernel', [w.inSize, w.outSize], w.kernel);
  const bias = e.float32('bias', [w.outSize], w.bias);
  const shape = [...rows, w.outSize];
  const product = e.op('MatMul', [x, kernel], { shape });
  return e.op('Add', [product, bias], { name: 'BiasAdd', shape, ...(output ? { output } : {}) });
}
