import { join } from 'node:path';
import { checkArtifactPath } from './artifact-path.js';
import type { FileEntry } from './manifest.js';
import { sha256File } from './sha256-file.js';

/**
 * The manifest entry of a file already written in the artifact: `{ file, sha256, bytes }` for
 * `file` ('/'-separated, relative to `dir`). For the compiler; throws NRT_ERR_ARTIFACT_PATH for a
 * path that would leave the directory.
 */
export async function fileEntryOf(dir: string, file: string): Promise<FileEntry> {
  checkArtifactPath(file, 'file');
  const { sha256, bytes } = await sha256File(join(dir, ...file.split('/')));
  return { file, sha256, bytes };
}
