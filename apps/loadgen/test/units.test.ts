import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createRng,
  formatProgress,
  LatencyHistogram,
  type LoadProgress,
  mrpcProtoPath,
  ProgressDisplay,
  parseBaseUrl,
  resolveLoadOptions,
} from '../src/index.js';

describe('createRng', () => {
  it('is reproducible per seed and stream, and independent across streams', () => {
    const draw = (seed: number, stream: number) => Array.from({ length: 5 }, createRng(seed, stream).next);
    expect(draw(1, 0)).toEqual(draw(1, 0));
    expect(draw(1, 0)).not.toEqual(draw(1, 1));
    expect(draw(1, 0)).not.toEqual(draw(2, 0));
  });

  it('draws uniform integers and exponential gaps with the right means', () => {
    const rng = createRng(42);
    const counts = new Array(4).fill(0);
    let sum = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      counts[rng.int(4)]++;
      sum += rng.exponential(5);
    }
    for (const c of counts) expect(Math.abs(c - n / 4)).toBeLessThan(0.03 * n);
    expect(sum / n).toBeCloseTo(0.2, 2);
  });
});

describe('LatencyHistogram', () => {
  it('keeps microsecond precision and clamps percentiles to the recorded range', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordMs(i / 100); // 0.01 .. 10 ms
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.min).toBe(0.01);
    expect(s.max).toBe(10);
    expect(Math.abs(s.p50 - 5)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(s.p99 - 9.9)).toBeLessThanOrEqual(0.01);
    expect(s.mean).toBeCloseTo(5.005, 2);
    const curve = h.curve();
    expect(curve[0].percentile).toBe(0);
    expect(curve.at(-1)).toEqual({ percentile: 100, latencyMs: 10 });
    expect(curve.at(-2)!.percentile).toBeCloseTo(99.9, 6);
  });

  it('is all zeros when empty', () => {
    const h = new LatencyHistogram();
    expect(h.summary()).toEqual({
      count: 0,
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      p999: 0,
      max: 0,
    });
    expect(h.curve()).toEqual([]);
  });
});

describe('resolveLoadOptions', () => {
  it('applies the reference defaults', () => {
    expect(resolveLoadOptions({})).toEqual({
      protocol: 'http',
      target: 'http://127.0.0.1:8080',
      mode: 'closed',
      clients: 96,
      cycle: 128,
      rate: null,
      durationS: null,
      seed: 1,
      timeoutMs: 30_000,
      readyTimeoutMs: 30_000,
      warmup: 0,
    });
    expect(resolveLoadOptions({ grpc: 'localhost:60061', rate: 10, durationS: 2 })).toMatchObject({
      protocol: 'grpc',
      mode: 'open',
      cycle: null,
      rate: 10,
      durationS: 2,
    });
  });

  it('names the wrong option, as the caller spells it', () => {
    const bad = (options: Parameters<typeof resolveLoadOptions>[0]) => () =>
      resolveLoadOptions(options, { durationS: '--duration', clients: '--clients' });
    expect(bad({ url: 'http://a', grpc: 'b:1' })).toThrow(/not both/);
    expect(bad({ rate: 3 })).toThrow(/--duration/);
    expect(bad({ rate: 3, durationS: 1, cycle: 2 })).toThrow(/closed loop/);
    expect(bad({ clients: 2000 })).toThrow(/--clients must be an integer from 1 to 1024/);
    expect(bad({ grpc: 'nohost' })).toThrow(/host:port/);
    expect(bad({ rate: -1, durationS: 1 })).toThrow(/rate must be a number > 0/);
  });
});

describe('parseBaseUrl', () => {
  it('keeps a path prefix and rejects other schemes', () => {
    expect(parseBaseUrl('http://127.0.0.1:8080')).toEqual({ origin: 'http://127.0.0.1:8080', prefix: '' });
    expect(parseBaseUrl('http://h:1/api/')).toEqual({ origin: 'http://h:1', prefix: '/api' });
    expect(() => parseBaseUrl('grpc://h:1')).toThrow(/http:\/\//);
    expect(() => parseBaseUrl('nope')).toThrow(/invalid URL/);
  });
});

describe('mrpcProtoPath', () => {
  it('finds proto/mrpc.proto from the source directory', () => {
    expect(mrpcProtoPath()).toMatch(/apps\/loadgen\/proto\/mrpc\.proto$/);
  });
});

describe('progress', () => {
  const snapshot = (over: Partial<LoadProgress>): LoadProgress => ({
    phase: 'measure',
    elapsedMs: 2000,
    completed: 50,
    ok: 48,
    errors: 2,
    planned: 100,
    fraction: 0.5,
    ...over,
  });

  it('formats a bar with counts and rate', () => {
    expect(formatProgress(snapshot({}), 10)).toBe(
      'measure [#####-----]  50%  50/100  24.0 ok/s  2 errors  2.0 s',
    );
    expect(formatProgress(snapshot({ phase: 'ready', elapsedMs: 1500 }))).toBe(
      'waiting for server ... 1.5 s',
    );
  });

  const sink = () => {
    let text = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    return { stream, text: () => text };
  };

  it('redraws in place on a terminal', () => {
    const out = sink();
    const display = new ProgressDisplay(out.stream, { tty: true, barWidth: 4 });
    display.update(snapshot({ fraction: 0.25 }));
    display.update(snapshot({ fraction: 0.5 }));
    display.finish();
    expect(out.text()).toBe(
      '\r\x1b[2Kmeasure [#---]  25%  50/100  24.0 ok/s  2 errors  2.0 s' +
        '\r\x1b[2Kmeasure [##--]  50%  50/100  24.0 ok/s  2 errors  2.0 s\n',
    );
  });

  it('prints a line at each phase change and then every interval without a terminal', () => {
    const out = sink();
    const display = new ProgressDisplay(out.stream, { tty: false, lineIntervalMs: 60_000, barWidth: 4 });
    display.update(snapshot({ phase: 'ready' }));
    display.update(snapshot({ phase: 'ready' }));
    display.update(snapshot({}));
    display.update(snapshot({}));
    display.finish();
    expect(out.text().split('\n')).toEqual([
      'waiting for server ... 2.0 s',
      'measure [##--]  50%  50/100  24.0 ok/s  2 errors  2.0 s',
      '',
    ]);
  });
});
