import type { ClassifyOptions, InferenceEngine } from '../engine/inference-engine.js';
import type { ClassScores } from '../model/class-scores.js';
import type { PairFeatures } from '../model/pair-features.js';

/**
 * Classify several pairs of one request together: the queue must have room for all of them (else
 * BAT_ERR_OVERLOADED at once), they go into the batcher concurrently (so they share batches), and
 * the request fails as a whole with the first failure, withdrawing its other waiting pairs.
 */
export async function classifyAll(
  engine: InferenceEngine,
  pairs: readonly PairFeatures[],
  signal: AbortSignal,
  options: Omit<ClassifyOptions, 'signal'> = {},
): Promise<ClassScores[]> {
  // One pair: classify itself rejects when the queue is full (no stats snapshot per request).
  if (pairs.length === 1) return [await engine.classify(pairs[0]!, { ...options, signal })];
  engine.checkRoom(pairs.length);
  const withdraw = new AbortController();
  const shared = AbortSignal.any([signal, withdraw.signal]);
  try {
    return await Promise.all(pairs.map((p) => engine.classify(p, { ...options, signal: shared })));
  } catch (error) {
    withdraw.abort(new Error('another pair of the same request failed'));
    throw error;
  }
}
