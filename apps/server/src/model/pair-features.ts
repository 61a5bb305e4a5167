/**
 * One request's model inputs, unpadded: the first `length` entries of each array are the sequence
 * (`[CLS] a [SEP] b [SEP]` for text); anything after `length` is ignored and the batch is padded
 * with zeros up to its bucket. bert-text's EncodedFeatures has this shape.
 */
export interface PairFeatures {
  readonly inputIds: Int32Array;
  readonly inputMask: Int32Array;
  readonly segmentIds: Int32Array;
  /** Real tokens: picks the bucket (the smallest compiled length that holds it). */
  readonly length: number;
}

/**
 * The dummy request that fills a short batch: `[CLS] [SEP] [SEP]`, mask 1 on those three tokens and
 * 0 beyond (a fully masked row is avoided on purpose: it would be the one input of a batch whose
 * attention sees no key at all). Its results are dropped.
 */
export function dummyPair(clsId: number, sepId: number): PairFeatures {
  return Object.freeze({
    inputIds: Int32Array.of(clsId, sepId, sepId),
    inputMask: Int32Array.of(1, 1, 1),
    segmentIds: Int32Array.of(0, 0, 1),
    length: 3,
  });
}
