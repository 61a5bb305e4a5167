import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { tempDir } from './temp-dir.js';
import { type TestArtifact, type TestArtifactOptions, writeTestArtifact } from './write-test-artifact.js';

export interface ArtifactCopies {
  /** The artifact written once for the file. */
  readonly base: () => TestArtifact;
  /** A fresh copy of it to damage. */
  readonly copy: () => string;
}

/** One test artifact per test file (written in beforeAll), and fresh copies of it to tamper with. */
export function artifactCopies(options: TestArtifactOptions = {}): ArtifactCopies {
  const root = tempDir();
  let base: TestArtifact | undefined;
  let n = 0;
  beforeAll(async () => {
    base = await writeTestArtifact(join(root, 'base'), options);
  });
  return {
    base: () => base!,
    copy: () => {
      const dir = join(root, `copy-${n++}`);
      cpSync(base!.dir, dir, { recursive: true });
      return dir;
    },
  };
}

/** A manifest as raw JSON, to damage in arbitrary ways. */
// biome-ignore lint/suspicious/noExplicitAny: tests damage the manifest in arbitrary ways
export type RawManifest = any;

/** Rewrite an artifact's manifest.json raw (no validation), through a function of its JSON. */
export function editManifest(dir: string, edit: (m: RawManifest) => void): void {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m, null, 2));
}
