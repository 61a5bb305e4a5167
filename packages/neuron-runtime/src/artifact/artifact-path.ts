import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, win32 } from 'node:path';
import { NeuronRuntimeError } from '../errors.js';

function pathError(field: string, file: string, problem: string): NeuronRuntimeError {
  return new NeuronRuntimeError(
    'NRT_ERR_ARTIFACT_PATH',
    `manifest.json ${field} '${file}' ${problem}; artifact paths are relative, '/'-separated and stay inside the artifact directory (recompile the artifact)`,
  );
}

/**
 * Check the syntax of a path the manifest lists: relative, '/'-separated, no empty, '.' or '..'
 * segment, no backslash, no drive. Throws NRT_ERR_ARTIFACT_PATH naming the field.
 */
export function checkArtifactPath(file: string, field: string): string {
  if (posix.isAbsolute(file) || win32.isAbsolute(file) || /^[a-zA-Z]:/.test(file))
    throw pathError(field, file, 'is absolute');
  if (file.includes('\\')) throw pathError(field, file, 'contains a backslash');
  if (file.includes('\0')) throw pathError(field, file, 'contains a NUL character');
  const segments = file.split('/');
  if (segments.includes('..')) throw pathError(field, file, "has a '..' segment");
  if (segments.some((s) => s === '' || s === '.'))
    throw pathError(field, file, "has an empty or '.' segment");
  return file;
}

/** True when `child` (absolute) is `root` or below it. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The real absolute path of an artifact file, following symlinks, after checking that it exists,
 * is a regular file, and stays inside `root` (itself a real path). NRT_ERR_ARTIFACT_PATH or
 * NRT_ERR_ARTIFACT_MISSING, naming the manifest field.
 */
export async function resolveArtifactFile(root: string, file: string, field: string): Promise<string> {
  checkArtifactPath(file, field);
  const abs = join(root, file);
  let real: string;
  try {
    real = await realpath(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new NeuronRuntimeError(
        'NRT_ERR_ARTIFACT_MISSING',
        `'${file}' (manifest.json ${field}) is missing from the artifact ${root}; restore it or recompile the artifact`,
        { cause: e },
      );
    throw new NeuronRuntimeError(
      'NRT_ERR_ARTIFACT_MISSING',
      `'${file}' (manifest.json ${field}) in ${root} cannot be read (${code ?? String(e)}); check its permissions`,
      { cause: e },
    );
  }
  if (!isInside(root, real))
    throw pathError(
      field,
      file,
      `resolves to ${real}, outside the artifact directory ${root}, through a symlink`,
    );
  const info = await stat(real);
  if (!info.isFile())
    throw new NeuronRuntimeError(
      'NRT_ERR_ARTIFACT_MISSING',
      `'${file}' (manifest.json ${field}) in ${root} is not a regular file; restore it or recompile the artifact`,
    );
  return real;
}
