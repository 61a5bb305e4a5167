import type { LoadPair } from './dataset.js';
import type { RequestSample } from './request-sample.js';
import { createRng } from './rng.js';
import type { Transport } from './transport.js';

export interface ClosedLoopOptions {
  transport: Transport;
  pairs: readonly LoadPair[];
  clients: number;
  /** How many requests client `i` sends. */
  requestsOf: (client: number) => number;
  seed: number;
  /** First random stream: client i draws its pairs from stream `streamBase + i`. */
  streamBase: number;
  onSample: (sample: RequestSample) => void;
  /** Stops every client before its next request. */
  signal?: AbortSignal;
}

/**
 * The reference's load: `clients` concurrent clients, each sending random pairs (uniform, with
 * replacement, from its own seeded stream) one after another, the next as soon as the previous
 * answer (or error) is in. Resolves when every client is done.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<void> {
  const { transport, pairs, signal } = options;
  // A throwing onSample stops every client; the loop rejects with the first error once all are done.
  let failed = false;
  const client = async (index: number): Promise<void> => {
    const rng = createRng(options.seed, options.streamBase + index);
    const count = options.requestsOf(index);
    for (let k = 0; k < count && !signal?.aborted && !failed; k++) {
      const pair = pairs[rng.int(pairs.length)];
      const sentAt = performance.now();
      const outcome = await transport.send(pair);
      const completedAt = performance.now();
      try {
        options.onSample({
          client: index,
          intendedAt: sentAt,
          sentAt,
          completedAt,
          latencyMs: completedAt - sentAt,
          outcome,
          label: pair.label,
        });
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: options.clients }, (_, i) => client(i)));
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
}
