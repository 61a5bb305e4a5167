import type { DataType, Value } from '@bert-neuron/graph-ir';
import { TENSOR_DTYPES, type TensorDtype, type TensorSpec } from '@bert-neuron/neuron-runtime';
import { NeuronCompileError } from '../errors.js';

/** A graph-ir dtype as the artifact records it; NCC_ERR_UNSUPPORTED for one the runtime does not carry. */
export function artifactDtype(dtype: DataType | undefined, what: string): TensorDtype {
  if (dtype !== undefined && (TENSOR_DTYPES as readonly string[]).includes(dtype))
    return dtype as TensorDtype;
  throw new NeuronCompileError(
    'NCC_ERR_UNSUPPORTED',
    `${what} is ${dtype ?? 'of unknown type'}, which the artifact cannot carry (${TENSOR_DTYPES.join(', ')})`,
  );
}

/** A partition input or output as the manifest lists it: unknown dims get a name. */
export function tensorSpecOf(v: Value): TensorSpec {
  return {
    name: v.name,
    dtype: artifactDtype(v.dtype, `tensor '${v.name}'`),
    shape: (v.shape ?? []).map((d, i) => (d === null ? `${v.name}_dim${i}` : d)),
  };
}
