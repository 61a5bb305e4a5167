import {
  allocateData,
  type DataType,
  dataTypeSize,
  type TensorData,
  type TypedArray,
  viewBytes,
} from './dtype.js';
import { GraphIrError } from './errors.js';
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from './float16.js';

function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0)
      throw new GraphIrError('GIR_ERR_SHAPE', `invalid tensor dimension ${d}`);
    n *= d;
  }
  return n;
}

/**
 * A constant tensor. Elements live either in a typed array (`data`) or, straight after reading
 * a model, in a little-endian byte view into the file (`bytes`); the typed array is made lazily
 * (a view when aligned) so reading and writing a model never copies its weights.
 * float16 and bfloat16 elements are their 16-bit patterns in a Uint16Array; bool is a Uint8Array;
 * int64/uint64 are BigInt64Array/BigUint64Array; string is string[].
 */
export class Tensor {
  readonly dtype: DataType;
  readonly dims: readonly number[];
  readonly size: number;
  #data: TensorData | undefined;
  #bytes: Uint8Array | undefined;

  private constructor(dtype: DataType, dims: readonly number[], data?: TensorData, bytes?: Uint8Array) {
    this.dtype = dtype;
    this.dims = Object.freeze([...dims]);
    this.size = elementCount(dims);
    this.#data = data;
    this.#bytes = bytes;
  }

  /** A tensor over existing storage (not copied). The length must match the dims. */
  static from(dtype: DataType, dims: readonly number[], data: TensorData): Tensor {
    const t = new Tensor(dtype, dims, data);
    if (data.length !== t.size)
      throw new GraphIrError(
        'GIR_ERR_SHAPE',
        `tensor data has ${data.length} elements but dims [${dims.join(',')}] need ${t.size}`,
      );
    if (dtype === 'string' ? !Array.isArray(data) : Array.isArray(data))
      throw new GraphIrError('GIR_ERR_DTYPE', `storage does not fit dtype ${dtype}`);
    return t;
  }

  /** A tensor over little-endian raw bytes (kept as a view). */
  static fromBytes(dtype: DataType, dims: readonly number[], bytes: Uint8Array): Tensor {
    if (dtype === 'string')
      throw new GraphIrError('GIR_ERR_DTYPE', 'string tensors cannot come from raw bytes');
    const t = new Tensor(dtype, dims, undefined, bytes);
    if (bytes.byteLength !== t.size * dataTypeSize(dtype))
      throw new GraphIrError(
        'GIR_ERR_PARSE',
        `raw data has ${bytes.byteLength} bytes but ${dtype}[${dims.join(',')}] needs ${t.size * dataTypeSize(dtype)}`,
      );
    return t;
  }

  static zeros(dtype: DataType, dims: readonly number[]): Tensor {
    return new Tensor(dtype, dims, allocateData(dtype, elementCount(dims)));
  }

  /** A tensor from JS numbers (floats are converted, float16/bfloat16 rounded to nearest even). */
  static fromNumbers(dtype: DataType, dims: readonly number[], values: ArrayLike<number>): Tensor {
    const t = Tensor.zeros(dtype, dims);
    if (values.length !== t.size)
      throw new GraphIrError('GIR_ERR_SHAPE', `${values.length} values do not fill [${dims.join(',')}]`);
    const d = t.data;
    for (let i = 0; i < values.length; i++) t.setNumber(i, values[i]!, d);
    return t;
  }

  static scalar(dtype: DataType, value: number | bigint): Tensor {
    if (typeof value === 'bigint') {
      const t = Tensor.zeros(dtype, []);
      (t.data as BigInt64Array)[0] = value;
      return t;
    }
    return Tensor.fromNumbers(dtype, [], [value]);
  }

  static int64(dims: readonly number[], values: ArrayLike<number | bigint>): Tensor {
    const a = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]!);
    return Tensor.from('int64', dims, a);
  }

  static float32(dims: readonly number[], values: ArrayLike<number>): Tensor {
    return Tensor.from('float32', dims, Float32Array.from(values));
  }

  get rank(): number {
    return this.dims.length;
  }

  /** Element storage (made on first access: a view over the raw bytes when aligned). */
  get data(): TensorData {
    if (this.#data === undefined) this.#data = viewBytes(this.dtype, this.#bytes!);
    return this.#data;
  }

  /** True when the elements are still only a byte view into the source file. */
  get isRawBacked(): boolean {
    return this.#data === undefined;
  }

  /** Little-endian bytes of the elements (a view, not a copy). Not for string tensors. */
  get bytes(): Uint8Array {
    if (this.#bytes !== undefined) return this.#bytes;
    const d = this.data;
    if (Array.isArray(d)) throw new GraphIrError('GIR_ERR_DTYPE', 'string tensors have no byte form');
    const a = d as TypedArray;
    return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  }

  get byteLength(): number {
    return this.dtype === 'string' ? 0 : this.size * dataTypeSize(this.dtype);
  }

  /** Element i as a JS number (float16/bfloat16 decoded, int64 converted, bool 0/1). */
  getNumber(i: number): number {
    const d = this.data;
    if (Array.isArray(d)) throw new GraphIrError('GIR_ERR_DTYPE', 'string tensor has no numeric elements');
    const v = d[i]!;
    if (this.dtype === 'float16') return float16BitsToFloat32(v as number);
    if (this.dtype === 'bfloat16') return bfloat16BitsToFloat32(v as number);
    return Number(v);
  }

  setNumber(i: number, value: number, d: TensorData = this.data): void {
    if (Array.isArray(d)) throw new GraphIrError('GIR_ERR_DTYPE', 'string tensor has no numeric elements');
    switch (this.dtype) {
      case 'float16':
        (d as Uint16Array)[i] = float32ToFloat16Bits(value);
        return;
      case 'bfloat16':
        (d as Uint16Array)[i] = float32ToBfloat16Bits(value);
        return;
      case 'int64':
      case 'uint64':
        (d as BigInt64Array)[i] = BigInt(Math.trunc(value));
        return;
      case 'bool':
        (d as Uint8Array)[i] = value ? 1 : 0;
        return;
      default:
        (d as Float32Array)[i] = value;
    }
  }

  /** All elements as JS numbers. */
  toNumbers(): number[] {
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.getNumber(i);
    return out;
  }

  /** All elements as float32 (decoding float16/bfloat16). */
  toFloat32(): Float32Array {
    if (this.dtype === 'float32') return this.data as Float32Array;
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.getNumber(i);
    return out;
  }

  /** int64/int32/... elements as bigint, exactly. */
  toBigInts(): bigint[] {
    const d = this.data;
    if (Array.isArray(d)) throw new GraphIrError('GIR_ERR_DTYPE', 'string tensor has no integer elements');
    const out = new Array<bigint>(this.size);
    for (let i = 0; i < this.size; i++) {
      const v = d[i]!;
      out[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
    }
    return out;
  }

  /** Same elements, other dims (shares storage). */
  reshape(dims: readonly number[]): Tensor {
    if (elementCount(dims) !== this.size)
      throw new GraphIrError(
        'GIR_ERR_SHAPE',
        `cannot reshape [${this.dims.join(',')}] to [${dims.join(',')}]`,
      );
    return this.#data === undefined
      ? new Tensor(this.dtype, dims, undefined, this.#bytes)
      : new Tensor(this.dtype, dims, this.#data);
  }

  /** A deep copy with its own storage. */
  clone(): Tensor {
    const d = this.data;
    return new Tensor(this.dtype, this.dims, Array.isArray(d) ? [...d] : (d as TypedArray).slice());
  }

  /** Element-wise equality of dtype, dims and contents (NaN equals NaN bit-for-bit). */
  equals(other: Tensor): boolean {
    if (this.dtype !== other.dtype || this.dims.length !== other.dims.length) return false;
    if (this.dims.some((d, i) => d !== other.dims[i])) return false;
    if (this.dtype === 'string') {
      const a = this.data as string[];
      const b = other.data as string[];
      return a.every((s, i) => s === b[i]);
    }
    return Buffer.compare(this.bytes, other.bytes) === 0;
  }
}
