// Check inferred dtypes and shapes of every node output against what onnxruntime-node computes.
import { expect } from 'vitest';
import type { Model } from '../../src/model.js';
import { readModel } from '../../src/serde/read-model.js';
import { writeModel } from '../../src/serde/write-model.js';
import type { Value } from '../../src/value.js';
import { type Feeds, run } from './ort-run.js';

/** A symbol's size, product symbols (`7*batch`, `batch*seq`) included; undefined when a factor is unbound. */
function symbolSize(d: string, sizes: Record<string, number>): number | undefined {
  let n = 1;
  for (const f of d.split('*')) {
    const k = /^\d+$/.test(f) ? Number(f) : sizes[f];
    if (k === undefined) return undefined;
    n *= k;
  }
  return n;
}

export interface ShapeCheck {
  /** Node outputs compared. */
  values: number;
  /** Dims compared (sizes, and symbols bound through `sizes`). */
  checked: number;
  /** Dims inferred as null, or symbols not in `sizes`. */
  unknown: number;
}

/**
 * Run a copy of the model with every node output made a graph output and expect each inferred
 * dtype and shape to agree with the tensor ORT produces; symbols are read through `sizes`.
 */
export async function expectShapesMatchOrt(
  model: Model,
  feeds: Feeds,
  sizes: Record<string, number>,
  /** Values whose declared shapes are known to be stale (checked for dtype and rank only). */
  stale: readonly string[] = [],
): Promise<ShapeCheck> {
  const copy = readModel(writeModel(model));
  const g = copy.graph;
  const outs = new Set(g.outputs);
  const values: Value[] = [];
  for (const n of g.nodes)
    for (const v of n.outputs) {
      if (v === null || v.dtype === undefined) continue;
      values.push(v);
      if (!outs.has(v)) g.addOutput(v);
    }
  const actual = await run(copy, feeds);
  const result: ShapeCheck = { values: values.length, checked: 0, unknown: 0 };
  for (const v of values) {
    const a = actual[v.name];
    expect(a, `ORT produced no '${v.name}'`).toBeDefined();
    expect(a!.type, `dtype of '${v.name}'`).toBe(v.dtype);
    if (v.shape === undefined) {
      result.unknown += a!.dims.length;
      continue;
    }
    expect(v.shape.length, `rank of '${v.name}' ([${v.shape}] vs [${a!.dims}])`).toBe(a!.dims.length);
    if (stale.includes(v.name)) continue;
    v.shape.forEach((d, i) => {
      const size = typeof d === 'number' ? d : typeof d === 'string' ? symbolSize(d, sizes) : undefined;
      if (size === undefined) {
        result.unknown++;
        return;
      }
      expect(size, `dim ${i} of '${v.name}' ([${v.shape}] vs [${a!.dims}])`).toBe(a!.dims[i]);
      result.checked++;
    });
  }
  return result;
}
