// loadArtifact on real artifact directories: a valid one loads; every damage a directory can
// suffer (a tampered, truncated or missing file, a path that leaves the directory, a bad format,
// broken JSON) is refused with its code and a message naming the file.
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileEntryOf, loadArtifact, sha256File, validateManifest, writeManifest } from '../src/index.js';
import { artifactCopies, editManifest, type RawManifest } from './support/artifact-copies.js';
import { expectRejects } from './support/expect-runtime-error.js';
import { tempDir } from './support/temp-dir.js';

const artifact = artifactCopies({ layout: 'per-bucket', buckets: [8, 16] });
const outside = tempDir();

describe('loadArtifact', () => {
  it('loads a valid artifact: the manifest as written, real absolute paths inside the directory', async () => {
    const { dir, manifest } = artifact.base();
    const loaded = await loadArtifact(dir);
    expect(loaded.manifest).toEqual(manifest);
    expect(loaded.dir).toBe(dir);
    expect(Object.keys(loaded.partitionPaths).sort()).toEqual(['device-16', 'device-8', 'host-16', 'host-8']);
    expect(loaded.partitionPaths['device-16']).toBe(join(dir, 'partitions', 'device-16.onnx'));
    expect(loaded.vocabPath).toBe(join(dir, 'vocab.txt'));
    expect(loaded.reportPath).toBe(join(dir, 'report.json'));
    expect(loaded.filePaths).toEqual([]);
    // Plain data: it survives a structured clone (it is posted to the core workers).
    expect(structuredClone(loaded)).toEqual(loaded);
  });

  it('refuses a tampered partition (same size) with CHECKSUM naming the file', async () => {
    const dir = artifact.copy();
    const file = join(dir, 'partitions', 'device-16.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(file, bytes);
    await expectRejects(
      loadArtifact(dir),
      'NRT_ERR_ARTIFACT_CHECKSUM',
      /'partitions\/device-16\.onnx' \(manifest\.json partitions\[3\] 'device-16'\) has sha256 [0-9a-f]{64} but the manifest says/,
    );
    // Sizes only: the tampering goes unnoticed, as documented.
    await expect(loadArtifact(dir, { checksums: false })).resolves.toBeDefined();
  });

  it('refuses a file whose size changed with CHECKSUM, even without checksums', async () => {
    const dir = artifact.copy();
    appendFileSync(join(dir, 'vocab.txt'), 'extra\n');
    for (const checksums of [true, false])
      await expectRejects(
        loadArtifact(dir, { checksums }),
        'NRT_ERR_ARTIFACT_CHECKSUM',
        /'vocab\.txt' \(manifest\.json tokenizer\.vocab\) is \d+ bytes but the manifest says \d+; .*truncated or replaced/,
      );
  });

  it('refuses a missing partition, report, directory or manifest with MISSING', async () => {
    const dir = artifact.copy();
    rmSync(join(dir, 'partitions', 'host-8.onnx'));
    await expectRejects(
      loadArtifact(dir),
      'NRT_ERR_ARTIFACT_MISSING',
      /'partitions\/host-8\.onnx' \(manifest\.json partitions\[0\] 'host-8'\) is missing from the artifact/,
    );
    const noReport = artifact.copy();
    rmSync(join(noReport, 'report.json'));
    await expectRejects(
      loadArtifact(noReport),
      'NRT_ERR_ARTIFACT_MISSING',
      /'report\.json' \(manifest\.json report\)/,
    );
    await expectRejects(loadArtifact(join(dir, 'nope')), 'NRT_ERR_ARTIFACT_MISSING', /does not exist/);
    const noManifest = artifact.copy();
    rmSync(join(noManifest, 'manifest.json'));
    await expectRejects(loadArtifact(noManifest), 'NRT_ERR_ARTIFACT_MISSING', /'manifest\.json'/);
    await expectRejects(
      loadArtifact(join(dir, 'vocab.txt')),
      'NRT_ERR_ARTIFACT_MISSING',
      /is not a directory; pass the artifact directory/,
    );
  });

  it("refuses '../x.onnx', an absolute path, and a symlink out of the directory with PATH", async () => {
    const { dir: base } = artifact.base();
    const escaped = join(outside, 'x.onnx');
    copyFileSync(join(base, 'partitions', 'host-8.onnx'), escaped);
    for (const file of ['../x.onnx', 'partitions/../../x.onnx', escaped, 'C:/x.onnx', 'partitions\\x.onnx']) {
      const dir = artifact.copy();
      editManifest(dir, (m) => {
        m.partitions[0].file = file;
      });
      await expectRejects(
        loadArtifact(dir),
        'NRT_ERR_ARTIFACT_PATH',
        /manifest\.json partitions\[0\]\.file '.*x\.onnx'/,
      );
    }
    // A symlink whose target is outside: the checksum would match, the path check refuses it.
    const dir = artifact.copy();
    rmSync(join(dir, 'partitions', 'host-8.onnx'));
    symlinkSync(escaped, join(dir, 'partitions', 'host-8.onnx'));
    await expectRejects(
      loadArtifact(dir),
      'NRT_ERR_ARTIFACT_PATH',
      /'partitions\/host-8\.onnx' resolves to .*x\.onnx, outside the artifact directory .* through a symlink/,
    );
    // A symlinked directory escaping counts too; a symlink that stays inside is fine.
    const linkedDir = artifact.copy();
    rmSync(join(linkedDir, 'partitions'), { recursive: true });
    symlinkSync(join(base, 'partitions'), join(linkedDir, 'partitions'));
    await expectRejects(loadArtifact(linkedDir), 'NRT_ERR_ARTIFACT_PATH', /through a symlink/);
    const inside = artifact.copy();
    copyFileSync(join(inside, 'vocab.txt'), join(inside, 'partitions', 'vocab-real.txt'));
    rmSync(join(inside, 'vocab.txt'));
    symlinkSync(join(inside, 'partitions', 'vocab-real.txt'), join(inside, 'vocab.txt'));
    await expect(loadArtifact(inside)).resolves.toBeDefined();
  });

  it('refuses a bad format string or broken JSON with FORMAT', async () => {
    const dir = artifact.copy();
    editManifest(dir, (m) => {
      m.format = 'bert-neuron-artifact/2';
    });
    await expectRejects(
      loadArtifact(dir),
      'NRT_ERR_ARTIFACT_FORMAT',
      /format is "bert-neuron-artifact\/2", this runtime reads 'bert-neuron-artifact\/1'; it was written by another version/,
    );
    editManifest(dir, (m) => {
      delete m.format;
    });
    await expectRejects(loadArtifact(dir), 'NRT_ERR_ARTIFACT_FORMAT', /format is missing/);
    writeFileSync(join(dir, 'manifest.json'), '{"format": "bert-neuron-artifact/1",');
    await expectRejects(loadArtifact(dir), 'NRT_ERR_ARTIFACT_FORMAT', /manifest\.json is not valid JSON/);
  });

  it('refuses schema errors with SCHEMA naming the field', async () => {
    const cases: [(m: RawManifest) => void, RegExp][] = [
      [
        (m) => {
          m.buckets = [16, 8];
        },
        /manifest\.json buckets must be strictly ascending, got \[16,8\]/,
      ],
      [
        (m) => {
          m.partitions = m.partitions.filter((p: { name: string }) => p.name !== 'device-16');
        },
        /manifest\.json partitions has no device partition for bucket 16/,
      ],
    ];
    for (const [edit, message] of cases) {
      const dir = artifact.copy();
      editManifest(dir, edit);
      await expectRejects(loadArtifact(dir), 'NRT_ERR_ARTIFACT_SCHEMA', message);
    }
  });
});

describe('writing helpers', () => {
  it('sha256File streams the sha256 and size; fileEntryOf makes the manifest entry', async () => {
    const { dir } = artifact.base();
    const file = join(dir, 'partitions', 'device-8.onnx');
    const bytes = readFileSync(file);
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(await sha256File(file)).toEqual({ sha256: expected, bytes: bytes.byteLength });
    expect(await fileEntryOf(dir, 'partitions/device-8.onnx')).toEqual({
      file: 'partitions/device-8.onnx',
      sha256: expected,
      bytes: bytes.byteLength,
    });
    await expectRejects(fileEntryOf(dir, '../x'), 'NRT_ERR_ARTIFACT_PATH');
  });

  it('writeManifest validates before writing, then round-trips through loadArtifact', async () => {
    const dir = artifact.copy();
    const { manifest } = artifact.base();
    rmSync(join(dir, 'manifest.json'));
    await expectRejects(
      writeManifest(dir, { ...manifest, batchSize: 0 }),
      'NRT_ERR_ARTIFACT_SCHEMA',
      /batchSize must be an integer >= 1, got 0/,
    );
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
    const path = await writeManifest(dir, manifest);
    expect(path).toBe(join(dir, 'manifest.json'));
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(validateManifest(JSON.parse(text))).toEqual(manifest);
    expect((await loadArtifact(dir)).manifest).toEqual(manifest);
  });
});
