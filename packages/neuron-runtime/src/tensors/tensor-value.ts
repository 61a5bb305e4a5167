import type { TensorDtype } from '../artifact/manifest.js';

/** The typed array of each dtype (float16 as its raw bits, bool as 0/1 bytes). */
export interface TensorDataOf {
  float32: Float32Array;
  float16: Uint16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  int8: Int8Array;
  uint8: Uint8Array;
}

export type TensorData = TensorDataOf[TensorDtype];

/** A tensor as the runtime takes and returns it: dtype, dims, and a typed array in row-major order. */
export interface TensorValue {
  readonly dtype: TensorDtype;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** Tensors by name: the feeds of a batch, or its outputs. */
export type TensorMap = Readonly<Record<string, TensorValue>>;

const CONSTRUCTORS = {
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
} as const;

/** The typed-array constructor that holds a dtype. */
export function dataConstructorOf(dtype: TensorDtype): (typeof CONSTRUCTORS)[TensorDtype] {
  return CONSTRUCTORS[dtype];
}

/** A zero-filled tensor of a dtype and dims. */
export function zerosTensor(dtype: TensorDtype, dims: readonly number[]): TensorValue {
  const n = dims.reduce((a, b) => a * b, 1);
  return { dtype, dims: [...dims], data: new CONSTRUCTORS[dtype](n) as TensorData };
}

/** The number of elements of dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
