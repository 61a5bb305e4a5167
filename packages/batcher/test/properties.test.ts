import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Batcher, type BatchInput, isBatcherError } from '../src/index.js';
import { FakeClock } from '../src/testing.js';
import { flush, type Tracked, track } from './helpers.js';

interface Item {
  readonly id: number;
  readonly length: number;
  readonly dummy: boolean;
  readonly bucket: number;
}
type Result = { readonly forId: number } | 'DUMMY';

const submitOp = fc.record({
  kind: fc.constant('submit' as const),
  /** Folded into 1..largest bucket, or just above it when `tooLong`. */
  length: fc.integer({ min: 1, max: 32 }),
  tooLong: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  deadlineIn: fc.option(fc.integer({ min: -2, max: 30 }), { nil: undefined }),
  abortable: fc.boolean(),
});
const op = fc.oneof(
  { weight: 6, arbitrary: submitOp },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12 }) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('complete' as const),
      pick: fc.nat(),
      mode: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'reject', 'wrong-length'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('throw-next' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reentrant-next' as const) }) },
);
const config = fc.record({
  batchSize: fc.integer({ min: 1, max: 6 }),
  lanes: fc.integer({ min: 1, max: 3 }),
  buckets: fc
    .uniqueArray(fc.constantFrom(4, 8, 16, 32), { minLength: 1, maxLength: 4 })
    .map((b) => b.sort((x, y) => x - y)),
  maxDelayMs: fc.constantFrom(0, 0, 3, 10),
  maxQueue: fc.integer({ min: 1, max: 20 }),
  runTimeoutMs: fc.constantFrom(undefined, undefined, 20),
});

interface Running {
  readonly input: BatchInput<Item>;
  readonly startedAt: number;
  resolve(r: readonly Result[]): void;
  reject(e: unknown): void;
}

interface Rec {
  readonly id: number;
  readonly length: number;
  readonly deadline: number;
  readonly ac: AbortController | undefined;
  readonly t: Tracked<Result>;
  /** Batch id once dispatched. */
  batch?: number;
  abortedWhileWaiting: boolean;
  /** Clock time when the promise settled (observed after a flush; the clock does not move in between). */
  settledAt?: number;
  depthAtSubmit: number;
  readonly afterDrain: boolean;
}

/** How a batch ended, as decided by the test. */
interface Outcome {
  readonly kind: 'ok' | 'failed' | 'timed-out';
  readonly error?: unknown;
}

describe('properties (fast-check, fake clock)', () => {
  it('every item settles exactly once, correctly; batches are exact, lanes exclusive, buckets FIFO', async () => {
    await fc.assert(
      fc.asyncProperty(
        config,
        fc.array(op, { minLength: 5, maxLength: 150, size: 'medium' }),
        async (cfg, ops) => {
          const clock = new FakeClock();
          const maxBucket = cfg.buckets[cfg.buckets.length - 1]!;
          const recs: Rec[] = [];
          const running: Running[] = [];
          const busyLanes = new Set<number>();
          const lastIdInBucket = new Map<number, number>();
          const outcomes = new Map<number, Outcome>();
          const batchStart = new Map<number, number>();
          let nextId = 0;
          let runCalls = 0;
          let throwNext = false;
          let reentrantNext = false;
          let draining = false;
          const violations: string[] = [];
          const check = (ok: boolean, what: string) => {
            if (!ok) violations.push(what);
          };

          const submit = (length: number, deadlineIn: number | undefined, abortable: boolean) => {
            const id = nextId++;
            const ac = abortable ? new AbortController() : undefined;
            const deadline = deadlineIn === undefined ? Number.POSITIVE_INFINITY : clock.now() + deadlineIn;
            const depthAtSubmit = batcher.stats().queueDepth;
            const rec: Rec = {
              id,
              length,
              deadline,
              ac,
              abortedWhileWaiting: false,
              depthAtSubmit,
              afterDrain: draining,
              t: undefined as never,
            };
            recs[id] = rec;
            const opts = {
              length,
              ...(deadlineIn === undefined ? {} : { deadline }),
              ...(ac ? { signal: ac.signal } : {}),
            };
            (rec as { t: Tracked<Result> }).t = track(
              batcher.submit({ id, length, dummy: false, bucket: 0 }, opts),
            );
            rec.t.promise.then(
              () => {
                rec.settledAt = clock.now();
              },
              () => {
                rec.settledAt = clock.now();
              },
            );
          };

          const batcher = new Batcher<Item, Result>({
            ...cfg,
            clock,
            pad: (bucket) => ({ id: -1, length: 0, dummy: true, bucket }),
            onBatch: (e) => busyLanes.delete(e.lane),
            run: (input) => {
              runCalls++;
              const now = clock.now();
              check(input.items.length === cfg.batchSize, `batch of ${input.items.length}`);
              check(input.realCount >= 1 && input.realCount <= cfg.batchSize, `realCount ${input.realCount}`);
              check(!busyLanes.has(input.lane), `lane ${input.lane} ran two batches at once`);
              check(input.lane >= 0 && input.lane < cfg.lanes, `lane ${input.lane}`);
              check(cfg.buckets[input.bucketIndex] === input.bucket, 'bucket index');
              busyLanes.add(input.lane);
              batchStart.set(input.id, now);
              for (let i = 0; i < input.items.length; i++) {
                const it = input.items[i]!;
                if (i >= input.realCount) {
                  check(it.dummy && it.bucket === input.bucket, 'dummy slot holds a real item');
                  continue;
                }
                check(!it.dummy, 'real slot holds a dummy');
                const rec = recs[it.id]!;
                check(rec.batch === undefined, `item ${it.id} dispatched twice`);
                rec.batch = input.id;
                check(!rec.abortedWhileWaiting, `item ${it.id} ran after being cancelled`);
                check(now < rec.deadline, `item ${it.id} started after its deadline`);
                check(input.lengths[i] === it.length, 'lengths');
                const want = cfg.buckets.findIndex((b) => it.length <= b);
                check(want === input.bucketIndex, `item of length ${it.length} in bucket ${input.bucket}`);
                const last = lastIdInBucket.get(input.bucketIndex) ?? -1;
                check(it.id > last, `FIFO broken in bucket ${input.bucket}: ${it.id} after ${last}`);
                lastIdInBucket.set(input.bucketIndex, it.id);
              }
              if (reentrantNext) {
                reentrantNext = false;
                submit(2, undefined, false);
              }
              if (throwNext) {
                throwNext = false;
                const error = new Error(`sync failure of batch ${input.id}`);
                outcomes.set(input.id, { kind: 'failed', error });
                throw error;
              }
              return new Promise<readonly Result[]>((resolve, reject) =>
                running.push({ input, startedAt: now, resolve, reject }),
              );
            },
          });

          const complete = (index: number, mode: string) => {
            const [r] = running.splice(index, 1);
            if (!r) return;
            const timedOut = cfg.runTimeoutMs !== undefined && clock.now() - r.startedAt >= cfg.runTimeoutMs;
            const results = r.input.items.map((x): Result => (x.dummy ? 'DUMMY' : { forId: x.id }));
            if (mode === 'reject') {
              const error = new Error(`batch ${r.input.id} failed`);
              outcomes.set(r.input.id, timedOut ? { kind: 'timed-out' } : { kind: 'failed', error });
              r.reject(error);
            } else if (mode === 'wrong-length') {
              outcomes.set(r.input.id, timedOut ? { kind: 'timed-out' } : { kind: 'failed' });
              r.resolve(results.slice(1));
            } else {
              outcomes.set(r.input.id, timedOut ? { kind: 'timed-out' } : { kind: 'ok' });
              r.resolve(results);
            }
          };

          for (const o of ops) {
            switch (o.kind) {
              case 'submit':
                submit(
                  o.tooLong ? maxBucket + o.length : 1 + ((o.length - 1) % maxBucket),
                  o.deadlineIn,
                  o.abortable,
                );
                break;
              case 'advance':
                clock.advance(o.ms);
                break;
              case 'complete':
                if (running.length > 0) complete(o.pick % running.length, o.mode);
                break;
              case 'abort': {
                const candidates = recs.filter((r) => r.ac && !r.ac.signal.aborted);
                const r = candidates[o.pick % Math.max(1, candidates.length)];
                if (r) {
                  r.abortedWhileWaiting = r.batch === undefined && r.t.state === 'pending';
                  r.ac!.abort();
                }
                break;
              }
              case 'throw-next':
                throwNext = true;
                break;
              case 'reentrant-next':
                reentrantNext = true;
                break;
            }
            await flush();
          }
          // finish: drain, completing whatever runs (without moving the clock)
          draining = true;
          const drained = track(batcher.drain());
          for (let i = 0; i < 1000 && drained.state === 'pending'; i++) {
            while (running.length > 0) complete(0, 'ok');
            await flush();
          }
          check(drained.state === 'resolved', 'drain never finished');
          expect(violations).toEqual([]);

          let rejected = 0;
          for (const rec of recs) {
            const t = rec.t;
            check(t.settles === 1, `item ${rec.id} settled ${t.settles} times`);
            if (t.state === 'resolved') check(t.value !== 'DUMMY', 'a dummy result escaped');
            else rejected++;
            const code = isBatcherError(t.error) ? t.error.code : undefined;
            if (rec.length > maxBucket) {
              check(code === 'BAT_ERR_TOO_LONG', `item ${rec.id}: ${code} instead of TOO_LONG`);
              continue;
            }
            if (rec.batch !== undefined) {
              const out = outcomes.get(rec.batch)!;
              if (out.kind === 'ok')
                check(
                  t.state === 'resolved' && (t.value as { forId: number }).forId === rec.id,
                  `item ${rec.id} got ${JSON.stringify(t.value)}`,
                );
              else if (out.kind === 'timed-out')
                check(code === 'BAT_ERR_BATCH_TIMEOUT', `item ${rec.id}: ${code} instead of BATCH_TIMEOUT`);
              else {
                check(code === 'BAT_ERR_BATCH_FAILED', `item ${rec.id}: ${code} instead of BATCH_FAILED`);
                if (out.error !== undefined)
                  check((t.error as Error).cause === out.error, 'cause is the batch error');
              }
            } else {
              check(t.state === 'rejected', `item ${rec.id} resolved without running`);
              if (code === 'BAT_ERR_CANCELLED')
                check(rec.ac?.signal.aborted === true, 'cancelled without abort');
              else if (code === 'BAT_ERR_DEADLINE')
                check(rec.settledAt! >= rec.deadline, 'deadline rejected early');
              else if (code === 'BAT_ERR_CLOSED') check(rec.afterDrain, 'closed before drain');
              else if (code === 'BAT_ERR_OVERLOADED')
                check(rec.depthAtSubmit >= cfg.maxQueue, 'overloaded below maxQueue');
              else check(false, `item ${rec.id} never ran and got ${code}`);
              if (rec.abortedWhileWaiting)
                check(
                  code === 'BAT_ERR_CANCELLED' ||
                    code === 'BAT_ERR_DEADLINE' ||
                    code === 'BAT_ERR_OVERLOADED',
                  'abort ignored',
                );
            }
          }
          expect(violations).toEqual([]);

          const s = batcher.stats();
          expect(s.submitted).toBe(recs.length);
          expect(s.resolved + rejected).toBe(recs.length);
          expect(Object.values(s.rejected).reduce((a, b) => a + b, 0)).toBe(rejected);
          expect(s.queueDepth).toBe(0);
          expect(s.running).toBe(0);
          expect(s.batches).toBe(runCalls);
          expect(s.slots).toBe(s.realSlots + s.paddedSlots);
          expect(s.slots).toBe(runCalls * cfg.batchSize);
          expect(s.realSlots).toBe(recs.filter((r) => r.batch !== undefined).length);
          expect(s.tokens).toBe(s.realTokens + s.paddedTokens);
          expect(s.batchSizeHistogram.reduce((a, b) => a + b, 0)).toBe(s.batches);
          expect(s.queueWait.items).toBe(s.realSlots);
          expect(s.queueWait.fillMs + s.queueWait.busyMs).toBe(s.queueWait.totalMs);
          if (cfg.maxDelayMs === 0) expect(s.queueWait.fillMs).toBe(0);
          expect(s.lanes.every((l) => !l.busy && l.inFlight === 0)).toBe(true);
          expect(clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 400 },
    );
  });
});
