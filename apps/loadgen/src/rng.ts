/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32). Every random choice of
 * a run comes from one of these, so a run is reproducible from its seed: the pairs each client sends
 * and the open loop's arrival times do not depend on how fast the server answers.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An exponentially distributed float with the given rate (mean 1 / rate). */
  exponential(rate: number): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A generator for `seed` and `stream`: different streams of one seed are independent sequences
 * (client 3's pairs do not depend on how many pairs client 2 drew).
 */
export function createRng(seed: number, stream = 0): Rng {
  const mix = splitmix32((seed >>> 0) ^ Math.imul(stream + 1, 0x632be5ab));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix() | 1;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const next = (): number => nextU32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    // 1 - u is in (0, 1], so the logarithm is finite.
    exponential: (rate) => -Math.log(1 - next()) / rate,
  };
}
