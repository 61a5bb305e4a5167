import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphIrError } from '../src/errors.js';
import { SeededRandom } from '../src/seeded-random.js';
import { ModelProto } from '../src/serde/onnx-schema.js';
import { readModel } from '../src/serde/read-model.js';
import { BERT_TOY, KERAS } from './support/fixtures.js';
import { tempDir } from './support/temp-dir.js';

/** The GraphIrError reading `source` throws; fails on success, on any other error, or when slow. */
function readError(source: Uint8Array | string): GraphIrError {
  const start = performance.now();
  try {
    readModel(source);
  } catch (err) {
    expect(performance.now() - start).toBeLessThan(2000);
    if (err instanceof GraphIrError) return err;
    throw new Error(`expected a GraphIrError, got ${(err as Error).stack}`);
  }
  throw new Error('expected the read to fail');
}

const encode = (graph: Record<string, unknown>): Uint8Array =>
  ModelProto.encode(
    ModelProto.fromObject({ irVersion: 8, opsetImport: [{ domain: '', version: 14 }], graph }),
  ).finish();

const vi = (name: string, elemType = 1) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: [{ dimValue: 2 }] } } },
});

describe('bad input is a GraphIrError with a stable code', () => {
  const dir = tempDir();

  it('a fixture truncated at many points: GIR_ERR_PARSE each time', () => {
    for (const path of [KERAS, BERT_TOY]) {
      const bytes = readFileSync(path);
      const cuts = [
        1,
        2,
        7,
        100,
        1000,
        ...[0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((f) => Math.floor(bytes.length * f)),
        bytes.length - 1,
      ];
      for (const cut of cuts)
        expect(readError(bytes.subarray(0, cut)).code, `cut at ${cut}`).toBe('GIR_ERR_PARSE');
    }
  });

  it('random bytes: GIR_ERR_PARSE (or another stable code), never a crash', () => {
    const rng = new SeededRandom(99);
    for (let k = 0; k < 200; k++) {
      const b = new Uint8Array(rng.int(1, 400));
      for (let i = 0; i < b.length; i++) b[i] = rng.int(0, 256);
      expect(['GIR_ERR_PARSE', 'GIR_ERR_DTYPE', 'GIR_ERR_INVARIANT']).toContain(readError(b).code);
    }
  });

  it('an empty file, a PNG, a text file, a directory and a missing file', () => {
    const empty = join(dir, 'empty.onnx');
    writeFileSync(empty, '');
    expect(readError(empty).code).toBe('GIR_ERR_PARSE');
    const png = join(dir, 'image.png');
    writeFileSync(
      png,
      Buffer.from(
        '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a20000000049454e44ae426082',
        'hex',
      ),
    );
    expect(readError(png).code).toBe('GIR_ERR_PARSE');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'This is not an ONNX model.\nIt is a text file.\n');
    expect(readError(text).code).toBe('GIR_ERR_PARSE');
    expect(readError(dir).code).toBe('GIR_ERR_IO');
    const missing = readError(join(dir, 'nope.onnx'));
    expect(missing.code).toBe('GIR_ERR_IO');
    expect(missing.message).toContain('nope.onnx');
  });

  it('unknown element types (FLOAT8E4M3FN 17, COMPLEX64 14): GIR_ERR_DTYPE naming the type', () => {
    const init = encode({
      name: 'g',
      initializer: [{ name: 'w', dataType: 17, dims: [1], rawData: Buffer.from([0]) }],
    });
    const e1 = readError(init);
    expect(e1.code).toBe('GIR_ERR_DTYPE');
    expect(e1.message).toContain('FLOAT8E4M3FN');
    const input = encode({ name: 'g', input: [vi('x', 14)] });
    const e2 = readError(input);
    expect(e2.code).toBe('GIR_ERR_DTYPE');
    expect(e2.message).toContain('COMPLEX64');
  });

  it('a value with two producers: GIR_ERR_INVARIANT', () => {
    const bytes = encode({
      name: 'g',
      input: [vi('x')],
      output: [vi('y')],
      node: [
        { opType: 'Relu', input: ['x'], output: ['y'] },
        { opType: 'Neg', input: ['x'], output: ['y'] },
      ],
    });
    const e = readError(bytes);
    expect(e.code).toBe('GIR_ERR_INVARIANT');
    expect(e.message).toContain("'y'");
  });

  it('a node output that shadows a graph input: GIR_ERR_INVARIANT', () => {
    const bytes = encode({
      name: 'g',
      input: [vi('x')],
      output: [vi('x')],
      node: [{ opType: 'Relu', input: ['x'], output: ['x'] }],
    });
    expect(readError(bytes).code).toBe('GIR_ERR_INVARIANT');
  });

  it('a node reading an undefined name, and an undefined graph output: GIR_ERR_PARSE', () => {
    const reads = encode({
      name: 'g',
      input: [vi('x')],
      output: [vi('y')],
      node: [{ opType: 'Add', input: ['x', 'ghost'], output: ['y'] }],
    });
    const e = readError(reads);
    expect(e.code).toBe('GIR_ERR_PARSE');
    expect(e.message).toContain("'ghost'");
    const out = encode({ name: 'g', input: [vi('x')], output: [vi('nowhere')] });
    expect(readError(out).code).toBe('GIR_ERR_PARSE');
  });

  it('a node without op_type and raw data of the wrong length: GIR_ERR_PARSE', () => {
    expect(
      readError(encode({ name: 'g', input: [vi('x')], node: [{ input: ['x'], output: ['y'] }] })).code,
    ).toBe('GIR_ERR_PARSE');
    const raw = encode({
      name: 'g',
      initializer: [{ name: 'w', dataType: 1, dims: [3], rawData: Buffer.alloc(10) }],
    });
    expect(readError(raw).code).toBe('GIR_ERR_PARSE');
  });
});
