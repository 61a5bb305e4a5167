// validateManifest field by field: each damage is refused with NRT_ERR_ARTIFACT_SCHEMA (or PATH,
// FORMAT) and a message naming the field; both layouts of a real artifact pass.
import { describe, expect, it } from 'vitest';
import { type ArtifactManifest, partitionsForBucket, validateManifest } from '../src/index.js';
import { artifactCopies, type RawManifest } from './support/artifact-copies.js';
import { expectThrows } from './support/expect-runtime-error.js';

const shared = artifactCopies({ layout: 'shared', buckets: [8, 16, 32] });
const perBucket = artifactCopies({ layout: 'per-bucket', buckets: [8, 16] });

function damaged(m: ArtifactManifest, edit: (m: RawManifest) => void): RawManifest {
  const copy = structuredClone(m) as RawManifest;
  edit(copy);
  return copy;
}

const SCHEMA_CASES: [string, (m: RawManifest) => void, RegExp][] = [
  ['buckets descending', (m) => (m.buckets = [32, 16, 8]), /buckets must be strictly ascending/],
  ['duplicate bucket', (m) => (m.buckets = [8, 8, 16]), /buckets must be strictly ascending/],
  ['bucket zero', (m) => (m.buckets = [0, 8]), /buckets\[0\] must be an integer >= 1, got 0/],
  ['no buckets', (m) => (m.buckets = []), /buckets must not be empty/],
  [
    'bucket over the position table',
    (m) => (m.buckets = [8, 16, 4096]),
    /has 4096, longer than config\.maxPositionEmbeddings/,
  ],
  [
    'partition bucket the artifact lacks',
    (m) => (m.partitions[0].buckets = [8, 16, 64]),
    /partitions\[0\]\.buckets lists 64, which is not one of the artifact's buckets/,
  ],
  [
    'bucket without a host partition',
    (m) => (m.partitions[0].buckets = [8, 16]),
    /partitions has no host partition for bucket 32; every bucket needs one host and one device partition/,
  ],
  [
    'two device partitions for a bucket',
    (m) => m.partitions.push({ ...m.partitions[1], name: 'device-b' }),
    /has 2 device partitions for bucket 8 \(device, device-b\); exactly one is allowed/,
  ],
  [
    'duplicate partition name',
    (m) => (m.partitions[1].name = 'host'),
    /partitions \(names\) lists 'host' twice/,
  ],
  ['missing field', (m) => delete m.precision, /manifest\.json precision is missing/],
  ['unknown field', (m) => (m.extra = 1), /manifest\.json extra is not a field of the manifest/],
  [
    'unknown nested field',
    (m) => (m.partitions[0].weights = 'x'),
    /partitions\[0\]\.weights is not a field of partitions\[0\]/,
  ],
  [
    'bad precision',
    (m) => (m.precision = 'fp8'),
    /precision must be one of fp32, mixed, aggressive, int8, got "fp8"/,
  ],
  ['bad head', (m) => (m.head = 'ner'), /head must be one of/],
  [
    'bad placement',
    (m) => (m.partitions[1].placement = 'gpu'),
    /partitions\[1\]\.placement must be one of host, device/,
  ],
  [
    'bad sha256',
    (m) => (m.partitions[1].sha256 = 'ABC'),
    /partitions\[1\]\.sha256 must be a sha256 of 64 lower-case hex digits/,
  ],
  ['negative bytes', (m) => (m.report.bytes = -1), /report\.bytes must be an integer >= 0, got -1/],
  ['bad createdAt', (m) => (m.createdAt = 'yesterday'), /createdAt must be an ISO date/],
  [
    'config not divisible',
    (m) => (m.config.numAttentionHeads = 3),
    /config\.hiddenSize \(64\) must be divisible/,
  ],
  ['config eps', (m) => (m.config.layerNormEps = 0), /config\.layerNormEps must be a positive number/],
  ['batch size', (m) => (m.batchSize = 2.5), /batchSize must be an integer >= 1, got 2\.5/],
  ['lowerCase', (m) => (m.tokenizer.lowerCase = 'yes'), /tokenizer\.lowerCase must be true or false/],
  ['compiler options', (m) => (m.compiler.options = []), /compiler\.options must be an object/],
  [
    'verification',
    (m) => (m.verification = { status: 'passed', samples: 3 }),
    /verification\.maxAbsError must be a number/,
  ],
  [
    'verification agreement',
    (m) =>
      (m.verification = { status: 'passed', samples: 3, maxAbsError: 0, maxRelError: 0, argmaxAgreement: 2 }),
    /argmaxAgreement must be a number in \[0, 1\]/,
  ],
  [
    'skipped with figures',
    (m) => (m.verification = { status: 'skipped', samples: 3 }),
    /verification\.samples is not a field/,
  ],
  [
    'signature batch dim',
    (m) => (m.signature.inputs[0].shape = [4, 'sequence']),
    /signature\.inputs\[0\]\.shape\[0\] is 4 but the batch size is 2/,
  ],
  [
    'signature rank',
    (m) => (m.signature.inputs[0].shape = [2]),
    /signature\.inputs\[0\]\.shape must be \[batch, sequence\]/,
  ],
  [
    'signature static length',
    (m) => (m.signature.inputs[0].shape = [2, 8]),
    /is the static length 8, which cannot serve the buckets \[8,16,32\]/,
  ],
  [
    'signature input dtype',
    (m) => (m.signature.inputs[0].dtype = 'float32'),
    /signature\.inputs 'input_ids'\.dtype must be int32 or int64/,
  ],
  [
    'signature role',
    (m) => (m.signature.inputs[0].role = 'ids'),
    /signature\.inputs\[0\]\.role must be one of/,
  ],
  ['no input_ids', (m) => (m.signature.inputs[0].role = 'unused'), /exactly one input with role 'input_ids'/],
  [
    'duplicate input',
    (m) => (m.signature.inputs[1].name = 'input_ids'),
    /signature\.inputs lists 'input_ids' twice/,
  ],
  [
    'bad dim',
    (m) => (m.signature.outputs[0].shape = [2, -1]),
    /signature\.outputs\[0\]\.shape\[1\] must be a size/,
  ],
  [
    'output nobody produces',
    (m) => (m.signature.outputs[0].name = 'scores'),
    /signature\.outputs 'scores' is produced by neither 'host' nor 'device' \(bucket 8\)/,
  ],
  [
    'output dtype',
    (m) => (m.signature.outputs[0].dtype = 'float16'),
    /signature\.outputs 'logits'\.dtype is float16 but the partition produces float32/,
  ],
  [
    'host input that is no signature input',
    (m) => (m.partitions[0].inputs[0].name = 'ids'),
    /partitions\[0\]\.inputs\[0\] 'ids' is neither a signature input \(bucket 8\)/,
  ],
  [
    'device input nobody provides',
    (m) => (m.partitions[1].inputs[0].name = 'hidden'),
    /partitions\[1\]\.inputs\[0\] 'hidden' is neither a signature input nor an output of host partition 'host'/,
  ],
  [
    'boundary dtype mismatch',
    (m) => (m.partitions[1].inputs[0].dtype = 'float16'),
    /partitions\[1\]\.inputs\[0\]\.dtype is float16 but 'embeddings\/Reshape:0' is float32 where it comes from/,
  ],
  [
    'partition input batch dim',
    (m) => (m.partitions[0].inputs[0].shape = [3, 'sequence']),
    /partitions\[0\]\.inputs\[0\]\.shape\[0\] is 3 but the batch size is 2/,
  ],
  [
    'static partition serving another bucket',
    (m) => (m.partitions[0].inputs[0].shape = [2, 8]),
    /partitions\[0\]\.inputs\[0\]\.shape\[1\] is 8 but the bucket it serves is 16/,
  ],
  [
    'two entries for one non-partition file',
    (m) => (m.files = [{ ...m.report }]),
    /files\[0\]\.file 'report\.json' is already listed by report/,
  ],
  [
    'manifest listed as a file',
    (m) => (m.files = [{ ...m.report, file: 'manifest.json' }]),
    /files\[0\]\.file must not be manifest\.json itself/,
  ],
];

describe('validateManifest', () => {
  it('accepts both layouts of a real artifact and returns an equal manifest', () => {
    for (const a of [shared.base(), perBucket.base()])
      expect(validateManifest(structuredClone(a.manifest))).toEqual(a.manifest);
    const m = shared.base().manifest;
    expect(m.partitions.map((p) => [p.name, p.placement, p.buckets])).toEqual([
      ['host', 'host', [8, 16, 32]],
      ['device', 'device', [8, 16, 32]],
    ]);
    expect(partitionsForBucket(m, 16)!.device.name).toBe('device');
    expect(partitionsForBucket(perBucket.base().manifest, 16)!.host.name).toBe('host-16');
    expect(partitionsForBucket(m, 12)).toBeUndefined();
  });

  for (const [what, edit, message] of SCHEMA_CASES)
    it(`refuses ${what} with SCHEMA`, () => {
      expectThrows(
        () => validateManifest(damaged(shared.base().manifest, edit)),
        'NRT_ERR_ARTIFACT_SCHEMA',
        message,
      );
    });

  it('a static per-bucket partition must serve exactly its length', () => {
    const m = damaged(perBucket.base().manifest, (m) => (m.partitions[0].buckets = [8, 16]));
    expectThrows(
      () => validateManifest(m),
      'NRT_ERR_ARTIFACT_SCHEMA',
      /has 2 host partitions for bucket 16 \(host-8, host-16\)/,
    );
  });

  it('refuses unsafe paths with PATH and a wrong format with FORMAT', () => {
    for (const file of ['../x.onnx', '/abs/x.onnx', 'a//b.onnx', './x.onnx', 'a\\b.onnx', 'D:\\x.onnx'])
      expectThrows(
        () => validateManifest(damaged(shared.base().manifest, (m) => (m.tokenizer.vocab.file = file))),
        'NRT_ERR_ARTIFACT_PATH',
        /manifest\.json tokenizer\.vocab\.file '.*' (is absolute|has a '\.\.' segment|has an empty or '\.' segment|contains a backslash)/,
      );
    expectThrows(
      () => validateManifest([]),
      'NRT_ERR_ARTIFACT_FORMAT',
      /it is not a bert-neuron artifact manifest/,
    );
    expectThrows(
      () => validateManifest(damaged(shared.base().manifest, (m) => (m.format = 'onnx'))),
      'NRT_ERR_ARTIFACT_FORMAT',
      /format is "onnx"/,
    );
  });
});
