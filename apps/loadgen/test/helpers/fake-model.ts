import { dataPath, readMrpc } from '@bert-neuron/bert-text';

/**
 * The behaviour shared by the fake HTTP and gRPC servers of the tests: which requests fail, how long
 * answers take, and which answers equal the label. Everything is decided by the request's arrival
 * number and a hash of its text, so a test knows exactly what the load generator must report.
 */
export interface FakeBehavior {
  /** Every answer takes at least this long (milliseconds). */
  delayMs?: number;
  /** Request number n (1-based, by arrival) fails with `status` when n % every === offset (first rule wins). */
  failures?: Array<{ every: number; offset: number; status: number }>;
  /** When request number `afterRequests` arrives, hold every answer until `ms` later (once). */
  stall?: { afterRequests: number; ms: number };
  /** /v2/health/ready (HTTP) answers 503 until this many milliseconds after start; gRPC ignores it. */
  readyAfterMs?: number;
}

export type Decision = { kind: 'fail'; status: number } | { kind: 'answer'; prediction: 0 | 1 };

/** FNV-1a 32-bit hash of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The fake model gets a pair wrong when the hash of its texts is divisible by 3. */
export function fakeIsWrong(textA: string, textB: string): boolean {
  return fnv1a(`${textA}\t${textB}`) % 3 === 0;
}

let labels: Map<string, 0 | 1> | undefined;

/** Labels of MRPC dev.tsv by `text_a \t text_b` (pairs that appear twice have one label). */
export function devLabels(): Map<string, 0 | 1> {
  if (labels === undefined) {
    labels = new Map();
    for (const e of readMrpc(dataPath('mrpc', 'dev.tsv')))
      labels.set(`${e.textA}\t${e.textB}`, e.label as 0 | 1);
  }
  return labels;
}

/** What a fake server saw and did: the ground truth the tests compare reports with. */
export class FakeStats {
  received = 0;
  answered = 0;
  /** Answers equal to the label. */
  correct = 0;
  /** Failures by status (HTTP status or gRPC status number). */
  failures = new Map<number, number>();
  unknownPairs = 0;
  /** Every pair received, as `text_a \t text_b`, in arrival order. */
  pairs: string[] = [];
  stallStart: number | undefined;
  stallEnd: number | undefined;
}

/** Decides request number `n` and waits as the behaviour says; updates `stats`. */
export async function decide(
  behavior: FakeBehavior,
  stats: FakeStats,
  n: number,
  textA: string,
  textB: string,
): Promise<Decision> {
  const arrived = performance.now();
  stats.pairs.push(`${textA}\t${textB}`);
  const { stall } = behavior;
  if (stall !== undefined && n === stall.afterRequests && stats.stallStart === undefined) {
    stats.stallStart = arrived;
    stats.stallEnd = arrived + stall.ms;
  }
  let holdUntil = arrived + (behavior.delayMs ?? 0);
  if (stats.stallEnd !== undefined && arrived >= stats.stallStart! && arrived < stats.stallEnd) {
    holdUntil = Math.max(holdUntil, stats.stallEnd);
  }
  // setTimeout may fire a little early against performance.now(): wait until the time has really passed.
  while (performance.now() < holdUntil) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(1, Math.ceil(holdUntil - performance.now()))),
    );
  }
  const rule = behavior.failures?.find((f) => n % f.every === f.offset);
  if (rule !== undefined) {
    stats.failures.set(rule.status, (stats.failures.get(rule.status) ?? 0) + 1);
    return { kind: 'fail', status: rule.status };
  }
  const label = devLabels().get(`${textA}\t${textB}`);
  if (label === undefined) {
    stats.unknownPairs++;
    return { kind: 'fail', status: 400 };
  }
  const prediction = fakeIsWrong(textA, textB) ? ((1 - label) as 0 | 1) : label;
  stats.answered++;
  if (prediction === label) stats.correct++;
  return { kind: 'answer', prediction };
}
