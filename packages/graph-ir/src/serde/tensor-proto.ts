// TensorProto <-> Tensor, including external data.
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { SparseTensor } from '../attribute.js';
import {
  allocateData,
  type DataType,
  dataTypeFromOnnx,
  onnxDataTypeCode,
  type TensorData,
} from '../dtype.js';
import { GraphIrError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { Long } from './onnx-schema.js';
import type { Int64, SparseTensorMsg, TensorMsg } from './proto-types.js';

/** Exact int64 -> bigint. */
export function int64ToBigInt(v: Int64): bigint {
  if (typeof v === 'number') return BigInt(v);
  const hi = BigInt(v.high >>> 0) << 32n;
  const big = hi | BigInt(v.low >>> 0);
  return v.unsigned ? big : BigInt.asIntN(64, big);
}

/** int64 -> JS number; throws when it is not exactly representable. */
export function int64ToNumber(v: Int64, what: string): number {
  const b = int64ToBigInt(v);
  const n = Number(b);
  if (!Number.isSafeInteger(n)) throw new GraphIrError('GIR_ERR_PARSE', `${what}: ${b} is out of range`);
  return n;
}

export function bigIntToLong(v: bigint): Long {
  const u = BigInt.asUintN(64, v);
  return Long.fromBits(Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0, false);
}

/** Where external data files may be read from, and the files already read. */
export interface ExternalDataContext {
  baseDir: string | undefined;
  files: Map<string, Uint8Array>;
}

function externalBytes(t: TensorMsg, ctx: ExternalDataContext, what: string): Uint8Array {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key, e.value]));
  const location = entries.get('location');
  if (!location) throw new GraphIrError('GIR_ERR_EXTERNAL_DATA', `${what}: external data without a location`);
  if (ctx.baseDir === undefined)
    throw new GraphIrError(
      'GIR_ERR_EXTERNAL_DATA',
      `${what}: the model keeps its weights in external file '${location}'; read it from a path (or pass baseDir) so the file can be found`,
    );
  const base = realpathSync(ctx.baseDir);
  const full = resolve(base, location);
  const rel = relative(base, full);
  if (isAbsolute(location) || rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel))
    throw new GraphIrError(
      'GIR_ERR_EXTERNAL_DATA',
      `${what}: external data location '${location}' escapes the model's folder ${base}; refusing to read it`,
    );
  let file = ctx.files.get(full);
  if (file === undefined) {
    let real: string;
    try {
      real = realpathSync(full);
      file = readFileSync(real);
    } catch (err) {
      throw new GraphIrError('GIR_ERR_EXTERNAL_DATA', `${what}: cannot read external data file '${full}'`, {
        cause: err,
      });
    }
    const relReal = relative(base, real);
    if (relReal.startsWith(`..${sep}`) || isAbsolute(relReal))
      throw new GraphIrError(
        'GIR_ERR_EXTERNAL_DATA',
        `${what}: external data file '${location}' is a link that leaves the model's folder; refusing to read it`,
      );
    ctx.files.set(full, file);
  }
  const offset = Number(entries.get('offset') ?? '0');
  const length = entries.has('length') ? Number(entries.get('length')) : file.byteLength - offset;
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > file.byteLength
  )
    throw new GraphIrError(
      'GIR_ERR_EXTERNAL_DATA',
      `${what}: external data range offset ${offset} length ${length} is outside '${location}' (${file.byteLength} bytes)`,
    );
  return file.subarray(offset, offset + length);
}

function fromField(dtype: DataType, n: number, t: TensorMsg, what: string): TensorData {
  const out = allocateData(dtype, n);
  const check = (len: number, field: string) => {
    if (len !== n)
      throw new GraphIrError('GIR_ERR_PARSE', `${what}: ${field} has ${len} elements, the dims need ${n}`);
  };
  switch (dtype) {
    case 'float32': {
      const src = t.floatData ?? [];
      check(src.length, 'float_data');
      (out as Float32Array).set(src);
      return out;
    }
    case 'float64': {
      const src = t.doubleData ?? [];
      check(src.length, 'double_data');
      (out as Float64Array).set(src);
      return out;
    }
    case 'int64': {
      const src = t.int64Data ?? [];
      check(src.length, 'int64_data');
      const a = out as BigInt64Array;
      for (let i = 0; i < n; i++) a[i] = int64ToBigInt(src[i]!);
      return out;
    }
    case 'uint64':
    case 'uint32': {
      const src = t.uint64Data ?? [];
      check(src.length, 'uint64_data');
      for (let i = 0; i < n; i++) {
        const b = BigInt.asUintN(64, int64ToBigInt(src[i]!));
        if (dtype === 'uint64') (out as BigUint64Array)[i] = b;
        else (out as Uint32Array)[i] = Number(b);
      }
      return out;
    }
    case 'string': {
      const src = t.stringData ?? [];
      check(src.length, 'string_data');
      const dec = new TextDecoder();
      const a = out as string[];
      for (let i = 0; i < n; i++) a[i] = dec.decode(src[i]);
      return out;
    }
    default: {
      // int32, int16, int8, uint16, uint8, bool, float16 and bfloat16 (as bits) live in int32_data.
      const src = t.int32Data ?? [];
      check(src.length, 'int32_data');
      (out as Int32Array).set(src);
      return out;
    }
  }
}

/** Decode a TensorProto. Raw and external data stay byte views (no copy). */
export function tensorFromProto(t: TensorMsg, ctx: ExternalDataContext, where = 'tensor'): Tensor {
  const what = t.name ? `${where} '${t.name}'` : where;
  if (t.segment) throw new GraphIrError('GIR_ERR_PARSE', `${what}: segmented tensors are not supported`);
  const dtype = dataTypeFromOnnx(t.dataType ?? 0, what);
  const dims = (t.dims ?? []).map((d) => int64ToNumber(d, `${what} dims`));
  if (dims.some((d) => d < 0))
    throw new GraphIrError('GIR_ERR_PARSE', `${what}: negative dimension in [${dims}]`);
  if (t.dataLocation === 1) return Tensor.fromBytes(dtype, dims, externalBytes(t, ctx, what));
  const n = dims.reduce((a, b) => a * b, 1);
  if (t.rawData && t.rawData.byteLength > 0 && dtype !== 'string')
    return Tensor.fromBytes(dtype, dims, t.rawData);
  return Tensor.from(dtype, dims, fromField(dtype, n, t, what));
}

/** Encode a Tensor as a TensorProto message object (numeric data as raw_data, a view). */
export function tensorToProto(t: Tensor, name?: string): TensorMsg {
  const msg: TensorMsg = {
    dims: t.dims.map((d) => Long.fromNumber(d)),
    dataType: onnxDataTypeCode(t.dtype),
  };
  if (name !== undefined && name !== '') msg.name = name;
  if (t.dtype === 'string') {
    const enc = new TextEncoder();
    msg.stringData = (t.data as string[]).map((s) => enc.encode(s));
  } else if (t.size > 0) {
    msg.rawData = t.bytes;
  }
  return msg;
}

export function sparseFromProto(s: SparseTensorMsg, ctx: ExternalDataContext, where: string): SparseTensor {
  if (!s.values || !s.indices)
    throw new GraphIrError('GIR_ERR_PARSE', `${where}: sparse tensor lacks values or indices`);
  return {
    values: tensorFromProto(s.values, ctx, where),
    indices: tensorFromProto(s.indices, ctx, where),
    dims: (s.dims ?? []).map((d) => int64ToNumber(d, `${where} dims`)),
  };
}

export function sparseToProto(s: SparseTensor, name?: string): SparseTensorMsg {
  return {
    values: tensorToProto(s.values, name),
    indices: tensorToProto(s.indices),
    dims: s.dims.map((d) => Long.fromNumber(d)),
  };
}
