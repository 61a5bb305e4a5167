import { GraphIrError } from './errors.js';

/** Element types the IR supports. float16/bfloat16 are stored as their raw 16-bit patterns. */
export type DataType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Storage of a tensor's elements: a typed array, or string[] for 'string'. */
export type TensorData = TypedArray | string[];

interface DataTypeInfo {
  readonly onnx: number;
  readonly bytes: number;
  readonly array: {
    new (n: number): TypedArray;
    new (b: ArrayBufferLike, o: number, n: number): TypedArray;
  } | null;
}

const INFO: Record<DataType, DataTypeInfo> = {
  float32: { onnx: 1, bytes: 4, array: Float32Array },
  uint8: { onnx: 2, bytes: 1, array: Uint8Array },
  int8: { onnx: 3, bytes: 1, array: Int8Array },
  uint16: { onnx: 4, bytes: 2, array: Uint16Array },
  int16: { onnx: 5, bytes: 2, array: Int16Array },
  int32: { onnx: 6, bytes: 4, array: Int32Array },
  int64: { onnx: 7, bytes: 8, array: BigInt64Array },
  string: { onnx: 8, bytes: 0, array: null },
  bool: { onnx: 9, bytes: 1, array: Uint8Array },
  float16: { onnx: 10, bytes: 2, array: Uint16Array },
  float64: { onnx: 11, bytes: 8, array: Float64Array },
  uint32: { onnx: 12, bytes: 4, array: Uint32Array },
  uint64: { onnx: 13, bytes: 8, array: BigUint64Array },
  bfloat16: { onnx: 16, bytes: 2, array: Uint16Array },
};

const BY_ONNX = new Map<number, DataType>(
  (Object.entries(INFO) as [DataType, DataTypeInfo][]).map(([k, v]) => [v.onnx, k]),
);

const ONNX_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4',
  22: 'INT4',
  23: 'FLOAT4E2M1',
};

export const DATA_TYPES: readonly DataType[] = Object.keys(INFO) as DataType[];

export function isDataType(s: string): s is DataType {
  return Object.hasOwn(INFO, s);
}

/** ONNX TensorProto.DataType code of a dtype. */
export function onnxDataTypeCode(dtype: DataType): number {
  return INFO[dtype].onnx;
}

/** The dtype for an ONNX TensorProto.DataType code; throws GIR_ERR_DTYPE for types the IR does not support. */
export function dataTypeFromOnnx(code: number, where: string): DataType {
  const dt = BY_ONNX.get(code);
  if (dt === undefined) {
    const name = ONNX_NAMES[code] ?? 'unknown';
    throw new GraphIrError(
      'GIR_ERR_DTYPE',
      `${where}: ONNX element type ${code} (${name}) is not supported; supported: ${DATA_TYPES.join(', ')}`,
    );
  }
  return dt;
}

/** Bytes per element (0 for string). */
export function dataTypeSize(dtype: DataType): number {
  return INFO[dtype].bytes;
}

export function isFloatType(dtype: DataType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

export function isIntegerType(dtype: DataType): boolean {
  return (
    dtype === 'int8' ||
    dtype === 'uint8' ||
    dtype === 'int16' ||
    dtype === 'uint16' ||
    dtype === 'int32' ||
    dtype === 'uint32' ||
    dtype === 'int64' ||
    dtype === 'uint64'
  );
}

/** Allocate zeroed storage for n elements of dtype. */
export function allocateData(dtype: DataType, n: number): TensorData {
  const ctor = INFO[dtype].array;
  if (ctor === null) return new Array<string>(n).fill('');
  return new ctor(n);
}

/**
 * A typed-array view over little-endian bytes. The view shares memory when the offset is aligned;
 * a misaligned slice is copied (one tensor at a time, never the whole model).
 */
export function viewBytes(dtype: DataType, bytes: Uint8Array): TypedArray {
  const info = INFO[dtype];
  if (info.array === null) throw new GraphIrError('GIR_ERR_DTYPE', 'string tensors have no byte view');
  if (bytes.byteLength % info.bytes !== 0)
    throw new GraphIrError(
      'GIR_ERR_PARSE',
      `raw data of ${bytes.byteLength} bytes is not a multiple of the ${dtype} element size ${info.bytes}`,
    );
  const n = bytes.byteLength / info.bytes;
  if (bytes.byteOffset % info.bytes === 0) return new info.array(bytes.buffer, bytes.byteOffset, n);
  const copy = new Uint8Array(bytes);
  return new info.array(copy.buffer, 0, n);
}
