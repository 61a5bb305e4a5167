import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactManifest } from './manifest.js';
import { validateManifest } from './validate-manifest.js';

/** The manifest's file name inside an artifact directory. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Validate `manifest` (validateManifest: the same checks loadArtifact makes, files not read) and
 * write it as `dir/manifest.json` (2-space JSON, trailing newline), through a temporary file and a
 * rename so a reader never sees half a manifest. Returns the path written. Throws the validator's
 * NRT_ERR_ARTIFACT_* error before writing anything.
 */
export async function writeManifest(dir: string, manifest: ArtifactManifest): Promise<string> {
  const checked = validateManifest(JSON.parse(JSON.stringify(manifest)));
  const path = join(dir, MANIFEST_FILE);
  const tmp = join(dir, `.${MANIFEST_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, `${JSON.stringify(checked, null, 2)}\n`);
  await rename(tmp, path);
  return path;
}
