import { describe, expect, it } from 'vitest';
import { fillNormal, streamSeed } from '../src/index.js';

function moments(a: Float32Array): { mean: number; std: number; kurtosis: number; max: number } {
  let s = 0;
  for (const v of a) s += v;
  const mean = s / a.length;
  let m2 = 0;
  let m4 = 0;
  let max = 0;
  for (const v of a) {
    const d = v - mean;
    m2 += d * d;
    m4 += d ** 4;
    max = Math.max(max, Math.abs(d));
  }
  m2 /= a.length;
  return { mean, std: Math.sqrt(m2), kurtosis: m4 / a.length / (m2 * m2), max };
}

describe('fillNormal', () => {
  it('draws normal values with the requested mean and std (tails cut near 3.6 std)', () => {
    const m = moments(fillNormal(new Float32Array(1_000_000), 12345, 2, 0.5));
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.std).toBeCloseTo(2, 2);
    expect(m.kurtosis).toBeGreaterThan(2.9); // normal: 3; uniform: 1.8
    expect(m.kurtosis).toBeLessThan(3.1);
    expect(m.max).toBeGreaterThan(2 * 3.3);
    expect(m.max).toBeLessThan(2 * 3.8);
  });

  it('is deterministic per stream and differs between streams', () => {
    const a = fillNormal(new Float32Array(1000), 7, 1);
    const b = fillNormal(new Float32Array(1000), 7, 1);
    const c = fillNormal(new Float32Array(1000), 8, 1);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('streamSeed depends on the seed (including its high bits) and on the name', () => {
    const seeds = new Set([
      streamSeed(1, 'layer.0.query.kernel'),
      streamSeed(2, 'layer.0.query.kernel'),
      streamSeed(1 + 2 ** 32, 'layer.0.query.kernel'),
      streamSeed(1, 'layer.0.key.kernel'),
      streamSeed(1, 'layer.1.query.kernel'),
    ]);
    expect(seeds.size).toBe(5);
    expect(streamSeed(1, 'x')).toBe(streamSeed(1, 'x'));
  });
});
