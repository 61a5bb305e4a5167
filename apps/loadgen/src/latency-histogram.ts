import { build, type Histogram } from 'hdr-histogram-js';

/** Percentiles of a latency distribution, in milliseconds with microsecond precision. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** One point of the percentile curve: `percentile` in [0, 100], the latency at it in milliseconds. */
export interface PercentilePoint {
  percentile: number;
  latencyMs: number;
}

/** Highest latency the histogram tracks without resizing: one hour, in microseconds. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

const usToMs = (us: number): number => Math.round(us) / 1000;

/**
 * A latency histogram (HdrHistogram, 3 significant digits) that records microseconds: values are
 * recorded and reported at microsecond resolution, relative error at most 0.1%.
 */
export class LatencyHistogram {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });

  /** Records one latency given in milliseconds (negative values count as 0; sub-microsecond as 1 µs). */
  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /**
   * The latency in milliseconds at `percentile` (0-100); 0 when empty. HdrHistogram answers with the
   * top of the value's bucket; that is clamped to the recorded minimum and maximum, so no percentile
   * exceeds `max`.
   */
  percentileMs(percentile: number): number {
    if (this.count === 0) return 0;
    const h = this.histogram;
    return usToMs(Math.min(h.maxValue, Math.max(h.minNonZeroValue, h.getValueAtPercentile(percentile))));
  }

  summary(): LatencySummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      min: empty ? 0 : usToMs(this.histogram.minNonZeroValue),
      mean: empty ? 0 : usToMs(this.histogram.mean),
      p50: this.percentileMs(50),
      p90: this.percentileMs(90),
      p95: this.percentileMs(95),
      p99: this.percentileMs(99),
      p999: this.percentileMs(99.9),
      max: empty ? 0 : usToMs(this.histogram.maxValue),
    };
  }

  /**
   * The percentile curve as HdrHistogram plots it: points evenly spaced in log10(1 / (1 - p)), from
   * the 0th percentile to as many nines as the sample count supports (10 points per decade), then
   * the maximum at 100.
   */
  curve(pointsPerDecade = 10): PercentilePoint[] {
    if (this.count === 0) return [];
    const decades = Math.max(1, Math.min(5, Math.floor(Math.log10(this.count))));
    const points: PercentilePoint[] = [];
    for (let k = 0; k <= decades * pointsPerDecade; k++) {
      const percentile = 100 * (1 - 10 ** (-k / pointsPerDecade));
      points.push({ percentile: Number(percentile.toFixed(6)), latencyMs: this.percentileMs(percentile) });
    }
    points.push({ percentile: 100, latencyMs: usToMs(this.histogram.maxValue) });
    return points;
  }
}
