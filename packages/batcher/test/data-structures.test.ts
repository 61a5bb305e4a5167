import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketIndex } from '../src/bucket-index.js';
import { DeadlineHeap } from '../src/deadline-heap.js';
import { DurationWindow } from '../src/duration-window.js';
import { LinkedDeque } from '../src/linked-deque.js';
import { estimateRetryAfterMs, fallbackBatchMs } from '../src/retry-after.js';

interface Node {
  prev: Node | null;
  next: Node | null;
  heapIndex: number;
  readonly seq: number;
  readonly deadline: number;
}
const node = (seq: number, deadline = 0): Node => ({ prev: null, next: null, heapIndex: -1, seq, deadline });

function toArray(d: LinkedDeque<Node>): number[] {
  const out: number[] = [];
  for (let n = d.head; n !== null; n = n.next) out.push(n.seq);
  return out;
}

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('push' as const), deadline: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ kind: fc.constant('shift' as const) }),
    fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  ),
  { maxLength: 200 },
);

describe('LinkedDeque', () => {
  it('behaves like an array queue with removal anywhere', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const d = new LinkedDeque<Node>();
        let model: Node[] = [];
        let seq = 0;
        for (const o of list) {
          if (o.kind === 'push') {
            const n = node(seq++);
            d.push(n);
            model.push(n);
          } else if (o.kind === 'shift') expect(d.shift()).toBe(model.shift() ?? null);
          else if (model.length > 0) {
            const n = model[o.pick % model.length]!;
            d.remove(n);
            model = model.filter((m) => m !== n);
            expect(n.prev).toBeNull();
            expect(n.next).toBeNull();
          }
          expect(d.size).toBe(model.length);
          expect(toArray(d)).toEqual(model.map((m) => m.seq));
          expect(d.tail?.seq).toBe(model[model.length - 1]?.seq);
        }
      }),
    );
  });
});

describe('DeadlineHeap', () => {
  it('pops in (deadline, seq) order and removes any node', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const h = new DeadlineHeap<Node>();
        let model: Node[] = [];
        let seq = 0;
        const order = (a: Node, b: Node) => a.deadline - b.deadline || a.seq - b.seq;
        for (const o of list) {
          if (o.kind === 'push') {
            const n = node(seq++, o.deadline);
            h.push(n);
            model.push(n);
          } else if (o.kind === 'shift') {
            model.sort(order);
            const want = model.shift();
            expect(h.pop()).toBe(want);
            if (want) expect(want.heapIndex).toBe(-1);
          } else if (model.length > 0) {
            const n = model[o.pick % model.length]!;
            h.remove(n);
            model = model.filter((m) => m !== n);
          }
          expect(h.size).toBe(model.length);
          expect(h.peek()).toBe([...model].sort(order)[0]);
        }
      }),
    );
  });
});

describe('small helpers', () => {
  it('bucketIndex picks the smallest bucket that holds the length', () => {
    expect([1, 32, 33, 64, 65, 128, 129].map((n) => bucketIndex(n, [32, 64, 128]))).toEqual([
      0, 0, 1, 1, 2, 2, -1,
    ]);
  });

  it('DurationWindow keeps the mean of the last N samples', () => {
    const w = new DurationWindow(3);
    expect(w.mean()).toBeUndefined();
    w.add(1);
    w.add(2);
    expect(w.mean()).toBe(1.5);
    w.add(3);
    w.add(10); // drops 1
    expect(w.mean()).toBe(5);
  });

  it('retry-after: rounds of lanes × batchSize at the batch duration', () => {
    expect(estimateRetryAfterMs(0, 2, 6, 10)).toBe(10);
    expect(estimateRetryAfterMs(12, 2, 6, 10)).toBe(10);
    expect(estimateRetryAfterMs(13, 2, 6, 10)).toBe(20);
    expect(estimateRetryAfterMs(100, 4, 6, 7.5)).toBe(38);
    expect(estimateRetryAfterMs(1, 1, 1, 0.01)).toBe(1);
    expect(fallbackBatchMs(0, 0)).toBe(1);
    expect(fallbackBatchMs(4, 2)).toBe(4);
  });
});
