// Compiles the tiny artifacts once for every test file (vitest globalSetup); files get their paths
// with inject('artifactDir') and inject('tfArtifactDir').
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { writeTinyArtifact } from './tiny-artifact.js';

declare module 'vitest' {
  export interface ProvidedContext {
    artifactDir: string;
    /** tf-google flavor: int32 inputs, probabilities output, mixed precision, batch 4, buckets 32 and 128. */
    tfArtifactDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'bert-server-test-'));
  const dir = join(root, 'tiny');
  const tfDir = join(root, 'tiny-tf');
  await writeTinyArtifact(dir);
  await writeTinyArtifact(tfDir, { flavor: 'tf-google', precision: 'mixed', batch: 4, buckets: [32, 128] });
  project.provide('artifactDir', dir);
  project.provide('tfArtifactDir', tfDir);
  return () => rmSync(root, { recursive: true, force: true });
}
