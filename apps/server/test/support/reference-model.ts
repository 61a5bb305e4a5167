// The direct computation the server's answers are checked against: the same artifact run by
// neuron-runtime's InProcessExecutor in the test's own thread, on features built here (not with the
// server's code): the pair in row 0 of a batch padded, as the reference pads, with dummy rows.
import { BertTokenizer } from '@bert-neuron/bert-text';
import {
  type ArtifactManifest,
  InProcessExecutor,
  loadArtifact,
  type TensorValue,
} from '@bert-neuron/neuron-runtime';

/** One sequence's ids, mask and segment ids (unpadded). */
export interface Row {
  readonly ids: readonly number[];
  readonly mask: readonly number[];
  readonly segments: readonly number[];
}

function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export class ReferenceModel {
  private constructor(
    readonly manifest: ArtifactManifest,
    readonly tokenizer: BertTokenizer,
    private readonly executor: InProcessExecutor,
  ) {}

  static async open(dir: string): Promise<ReferenceModel> {
    const artifact = await loadArtifact(dir);
    const tokenizer = BertTokenizer.fromVocabFile(artifact.vocabPath!, { lowerCase: true });
    return new ReferenceModel(artifact.manifest, tokenizer, await InProcessExecutor.create(artifact));
  }

  get maxBucket(): number {
    return this.manifest.buckets[this.manifest.buckets.length - 1]!;
  }

  /** `[CLS] a [SEP] b [SEP]`, truncated to the largest bucket. */
  rowOfText(textA: string, textB: string): Row {
    const f = this.tokenizer.encodePair(textA, textB, { maxLength: this.maxBucket });
    return {
      ids: [...f.inputIds.subarray(0, f.length)],
      mask: [...f.inputMask.subarray(0, f.length)],
      segments: [...f.segmentIds.subarray(0, f.length)],
    };
  }

  /** The smallest bucket holding `length` tokens. */
  bucketOf(length: number): number {
    return this.manifest.buckets.find((b) => b >= length)!;
  }

  /** Class probabilities of one row, computed at `bucket` (default: the smallest that holds it). */
  async probabilities(row: Row, bucket = this.bucketOf(row.ids.length)): Promise<number[]> {
    const batch = this.manifest.batchSize;
    const dummy: Row = { ids: [101, 102, 102], mask: [1, 1, 1], segments: [0, 0, 1] };
    const rows = [row, ...Array.from({ length: batch - 1 }, () => dummy)];
    const byRole: Record<string, (r: Row) => readonly number[]> = {
      input_ids: (r) => r.ids,
      attention_mask: (r) => r.mask,
      token_type_ids: (r) => r.segments,
    };
    const feeds: Record<string, TensorValue> = {};
    for (const input of this.manifest.signature.inputs) {
      const data = new BigInt64Array(batch * bucket);
      for (const [i, r] of rows.entries())
        for (const [s, v] of byRole[input.role]!(r).entries()) data[i * bucket + s] = BigInt(v);
      feeds[input.name] =
        input.dtype === 'int64'
          ? { dtype: 'int64', dims: [batch, bucket], data }
          : { dtype: 'int32', dims: [batch, bucket], data: Int32Array.from(data, Number) };
    }
    const out = await this.executor.run(bucket, feeds);
    const output = this.manifest.signature.outputs[0]!;
    const t = out[output.name]!;
    const scores = [Number(t.data[0]), Number(t.data[1])];
    return output.role === 'probabilities' ? scores : softmax(scores);
  }

  close(): Promise<void> {
    return this.executor.close();
  }
}
