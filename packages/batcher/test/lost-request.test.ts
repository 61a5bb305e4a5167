import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Batcher } from '../src/index.js';
import { FakeClock } from '../src/testing.js';
import { flush, type Tracked, track } from './helpers.js';

/**
 * The reference server's worker loop, reduced to its queue handling: read the first N pending
 * requests, run them, then clear the queue in a separate step. Anything that lands in the queue
 * between the read and the clear (another thread in the reference; here: whatever runs at the
 * `between` point) is dropped without ever being answered.
 */
class NaiveReferenceBatcher {
  queue: { item: string; resolve: (r: string) => void }[] = [];
  constructor(readonly batchSize: number) {}

  submit(item: string): Promise<string> {
    return new Promise((resolve) => this.queue.push({ item, resolve }));
  }

  async step(between: () => void | Promise<void>): Promise<void> {
    const batch = this.queue.slice(0, this.batchSize); // read the first N
    await between(); // a submit lands here
    this.queue = []; // clear the queue: a separate, later step
    for (const { item, resolve } of batch) resolve(`r:${item}`);
  }
}

describe("the reference's lost-request race", () => {
  it('a naive read-then-clear loses a request submitted in between', async () => {
    const naive = new NaiveReferenceBatcher(6);
    const a = track(naive.submit('a'));
    const b = track(naive.submit('b'));
    let c: Tracked<string> | undefined;
    await naive.step(() => {
      c = track(naive.submit('c'));
    });
    while (naive.queue.length > 0) await naive.step(() => {});
    await flush();
    expect([a.state, b.state]).toEqual(['resolved', 'resolved']);
    expect(c!.state).toBe('pending'); // lost: never answered, and no longer queued
    expect(naive.queue).toHaveLength(0);

    // sanity: without the interleaving the naive version answers everything
    const calm = new NaiveReferenceBatcher(6);
    const all = ['a', 'b', 'c'].map((x) => track(calm.submit(x)));
    await calm.step(() => {});
    await flush();
    expect(all.every((t) => t.state === 'resolved')).toBe(true);
  });

  it('ours takes items out of the queue in the same step that reads them: a submit in between is served', async () => {
    // The only points where other code can run between our read and the batch starting are the
    // user callbacks of the dispatch (`pad`, then `run`); submit from both.
    const clock = new FakeClock();
    const late: Tracked<string>[] = [];
    let interleave = true;
    let batcher: Batcher<string, string>;
    const calls: { items: readonly string[]; realCount: number; done: (r: readonly string[]) => void }[] = [];
    batcher = new Batcher<string, string>({
      batchSize: 6,
      buckets: [128],
      lanes: 1,
      clock,
      pad: () => {
        if (interleave) late.push(track(batcher.submit('in-pad', { length: 1 })));
        return '';
      },
      run: (input) => {
        if (interleave) late.push(track(batcher.submit('in-run', { length: 1 })));
        interleave = false;
        return new Promise((done) => calls.push({ items: input.items, realCount: input.realCount, done }));
      },
    });
    const first = ['a', 'b'].map((x) => track(batcher.submit(x, { length: 1 })));
    await flush();
    expect(calls[0]!.items.slice(0, calls[0]!.realCount)).toEqual(['a']); // a ran alone (free lane)
    for (let i = 0; i < calls.length; i++) {
      calls[i]!.done(calls[i]!.items.map((x, j) => (j < calls[i]!.realCount ? `r:${x}` : 'dummy')));
      await flush();
    }
    await batcher.drain();
    expect(first.map((t) => t.value)).toEqual(['r:a', 'r:b']);
    expect(late.length).toBeGreaterThan(1);
    expect(late.map((t) => t.state)).toEqual(late.map(() => 'resolved'));
    expect(late.map((t) => t.value)).toEqual(
      late.map((_t, i) => (i < late.length - 1 ? 'r:in-pad' : 'r:in-run')),
    );
    const s = batcher.stats();
    expect(s.resolved).toBe(s.submitted);
  });

  it('property: whatever is queued and whenever submits land inside pad/run/onBatch, nothing is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 14 }),
        fc.array(fc.constantFrom('pad', 'run', 'onBatch'), { maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        async (queued, points, batchSize) => {
          const clock = new FakeClock();
          const tracked: Tracked<string>[] = [];
          const names: string[] = [];
          const submit = (name: string) => {
            const t = track(batcher.submit(name, { length: 1 }));
            tracked.push(t);
            names.push(name);
          };
          const pending = [...points];
          let n = 0;
          const maybeSubmit = (where: string) => {
            if (pending[0] === where) {
              pending.shift();
              submit(`x${n++}`);
            }
          };
          const batcher: Batcher<string, string> = new Batcher<string, string>({
            batchSize,
            buckets: [4],
            lanes: 1,
            clock,
            maxQueue: 100,
            pad: () => {
              maybeSubmit('pad');
              return 'dummy';
            },
            run: async (input) => {
              maybeSubmit('run');
              await Promise.resolve();
              return input.items.map((x) => `r:${x}`);
            },
            onBatch: () => maybeSubmit('onBatch'),
          });
          for (let i = 0; i < queued; i++) submit(`x${n++}`);
          for (let i = 0; i < 40 && tracked.some((t) => t.state === 'pending'); i++) await flush();
          await batcher.drain();
          await flush();
          for (const t of tracked) expect(t.state).toBe('resolved');
          expect(tracked.map((t) => t.value)).toEqual(names.map((x) => `r:${x}`));
          expect(batcher.stats().resolved).toBe(n);
        },
      ),
      { numRuns: 200 },
    );
  });
});
