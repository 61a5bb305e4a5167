import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import {
  bfloat16BitsToFloat32,
  FLOAT16_MAX,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from '../src/float16.js';
import { Model } from '../src/model.js';
import { SeededRandom } from '../src/seeded-random.js';
import { Tensor } from '../src/tensor.js';
import { run } from './support/ort-run.js';

const isNanHalf = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const isNanBf16 = (h: number): boolean => (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;

describe('float16', () => {
  it('decodes and re-encodes every bit pattern exactly (nan stays nan)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = float16BitsToFloat32(h);
      if (isNanHalf(h)) {
        expect(Number.isNaN(x)).toBe(true);
        expect(isNanHalf(float32ToFloat16Bits(x))).toBe(true);
      } else if (float32ToFloat16Bits(x) !== h) {
        expect.fail(
          `pattern 0x${h.toString(16)} (${x}) re-encodes to 0x${float32ToFloat16Bits(x).toString(16)}`,
        );
      }
    }
  });

  it('rounds to nearest, ties to even', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1+2^-10: even is 1
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: even is 1+2^-9
    expect(float32ToFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(float32ToFloat16Bits(2049)).toBe(0x6800); // 2048 (tie, even)
    expect(float32ToFloat16Bits(2051)).toBe(0x6802); // 2052 (tie, even)
    expect(float32ToFloat16Bits(-(1 + 3 * 2 ** -11))).toBe(0xbc02);
  });

  it('handles subnormals: the smallest is 2^-24, and rounding goes into and out of them', () => {
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24: even is 0
    expect(float32ToFloat16Bits(2 ** -25 * 1.000001)).toBe(0x0001);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie: even is 2
    expect(float32ToFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(float32ToFloat16Bits(-(2 ** -26))).toBe(0x8000);
    // The largest subnormal 1023 * 2^-24 rounds up at the tie into the smallest normal 2^-14.
    expect(float32ToFloat16Bits(1023.5 * 2 ** -24)).toBe(0x0400);
    expect(float32ToFloat16Bits(1023.25 * 2 ** -24)).toBe(0x03ff);
    // Just below the smallest normal rounds into the subnormals.
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -24)).toBe(0x03ff); // exactly the largest subnormal
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -26)).toBe(0x0400); // nearer 2^-14 than 2^-14 - 2^-24
  });

  it('overflows to inf: 65520 -> inf, 65519 -> 65504', () => {
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff);
    expect(float16BitsToFloat32(0x7bff)).toBe(FLOAT16_MAX);
    expect(float32ToFloat16Bits(1e10)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-65520)).toBe(0xfc00);
    expect(float32ToFloat16Bits(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(float32ToFloat16Bits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
  });

  it('keeps nan a nan and -0 a -0', () => {
    expect(isNanHalf(float32ToFloat16Bits(Number.NaN))).toBe(true);
    expect(Number.isNaN(float16BitsToFloat32(0x7e00))).toBe(true);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
  });

  it('Tensor.fromNumbers("float16") rounds the same way', () => {
    const t = Tensor.fromNumbers('float16', [3], [65519, 65520, 1 + 2 ** -11]);
    expect([...(t.data as Uint16Array)]).toEqual([0x7bff, 0x7c00, 0x3c00]);
  });
});

describe('bfloat16', () => {
  it('decodes and re-encodes every bit pattern exactly (nan stays nan)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = bfloat16BitsToFloat32(h);
      if (isNanBf16(h)) expect(isNanBf16(float32ToBfloat16Bits(x))).toBe(true);
      else if (float32ToBfloat16Bits(x) !== h)
        expect.fail(`pattern 0x${h.toString(16)} re-encodes differently`);
    }
  });

  it('rounds to nearest even, overflows to inf, keeps nan and -0', () => {
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie: even
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie: even
    expect(float32ToBfloat16Bits(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(float32ToBfloat16Bits(3.4028234663852886e38)).toBe(0x7f80); // float32 max rounds to inf
    expect(float32ToBfloat16Bits(-0)).toBe(0x8000);
    expect(isNanBf16(float32ToBfloat16Bits(Number.NaN))).toBe(true);
    expect(bfloat16BitsToFloat32(0x4049)).toBe(3.140625);
  });
});

describe('float16 against onnxruntime Cast', () => {
  it('float32 -> float16 gives the same bit patterns, float16 -> float32 the same values', async () => {
    const values: number[] = [
      0,
      -0,
      1,
      -1,
      65504,
      65519,
      65520,
      -65520,
      1e10,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      2 ** -24,
      2 ** -25,
      3 * 2 ** -25,
      2 ** -26,
      1023.5 * 2 ** -24,
      2 ** -14,
      2 ** -14 - 2 ** -24,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      2049,
      2051,
      0.1,
      1 / 3,
      Math.PI,
      -Math.E,
      1e-8,
      -1e-5,
    ];
    const rng = new SeededRandom(16);
    // Every tie between adjacent float16 values of a random sample (exact in float32), and values
    // spread over the whole exponent range.
    for (let i = 0; i < 2000; i++) {
      const h = rng.int(0, 0x7bff);
      values.push((float16BitsToFloat32(h) + float16BitsToFloat32(h + 1)) / 2);
      values.push(-(float16BitsToFloat32(h) + float16BitsToFloat32(h + 1)) / 2);
      values.push((rng.next() - 0.5) * 2 ** rng.int(-30, 20));
    }
    const x32 = Float32Array.from(values);
    const m = new Model({ opset: 13 });
    const x = m.graph.addInput('x', 'float32', ['n']);
    const h = m.graph.addNode({
      opType: 'Cast',
      inputs: [x],
      outputs: ['h'],
      attributes: { to: attr.int(10) },
    });
    const back = m.graph.addNode({
      opType: 'Cast',
      inputs: [h.out],
      outputs: ['y'],
      attributes: { to: attr.int(1) },
    });
    h.out.dtype = 'float16';
    m.graph.setOutputs([h.out, back.out]);
    back.out.dtype = 'float32';
    const { default: ort } = await import('onnxruntime-node');
    const out = await run(m, { x: new ort.Tensor('float32', x32, [x32.length]) });
    const bits = out.h!.data as Uint16Array;
    const y = out.y!.data as Float32Array;
    let mismatches = 0;
    for (let i = 0; i < x32.length; i++) {
      const mine = float32ToFloat16Bits(x32[i]!);
      if (mine !== bits[i]) mismatches++;
      if (!Object.is(float16BitsToFloat32(bits[i]!), y[i])) mismatches++;
    }
    expect(mismatches).toBe(0);
    const nan = await run(m, { x: new ort.Tensor('float32', Float32Array.from([Number.NaN]), [1]) });
    expect(isNanHalf((nan.h!.data as Uint16Array)[0]!)).toBe(true);
  });
});
