import type { TensorData, TensorMap, TensorValue } from './tensor-value.js';

/**
 * Prepare tensors to be posted to another thread by transfer, not copy: a typed array that is the
 * whole of an ordinary ArrayBuffer is transferred as it is (the sender's array is detached
 * afterwards); one that is a view into a larger buffer, shares its buffer with another tensor, or
 * lives on a SharedArrayBuffer (which onnxruntime rejects as input) is copied first.
 */
export function forTransfer(tensors: TensorMap): {
  tensors: Record<string, TensorValue>;
  transfer: ArrayBuffer[];
} {
  const transfer: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  const out: Record<string, TensorValue> = {};
  for (const [name, t] of Object.entries(tensors)) {
    let data: TensorData = t.data;
    const whole =
      data.buffer instanceof ArrayBuffer &&
      data.byteOffset === 0 &&
      data.byteLength === data.buffer.byteLength;
    if (!whole || seen.has(data.buffer)) data = data.slice() as TensorData;
    seen.add(data.buffer);
    transfer.push(data.buffer as ArrayBuffer);
    out[name] = { dtype: t.dtype, dims: [...t.dims], data };
  }
  return { tensors: out, transfer };
}
