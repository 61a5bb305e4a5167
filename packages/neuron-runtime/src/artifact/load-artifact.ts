import { readFile, realpath, stat } from 'node:fs/promises';
import { NeuronRuntimeError } from '../errors.js';
import { resolveArtifactFile } from './artifact-path.js';
import type { LoadedArtifact } from './loaded-artifact.js';
import type { FileEntry } from './manifest.js';
import { sha256File } from './sha256-file.js';
import { validateManifest } from './validate-manifest.js';

export interface LoadArtifactOptions {
  /**
   * Check every file's sha256 (default true). false checks sizes only, for a quick start on an
   * artifact that was checked before; the paths are checked either way.
   */
  readonly checksums?: boolean;
}

async function realDir(dir: string): Promise<string> {
  try {
    const real = await realpath(dir);
    if ((await stat(real)).isDirectory()) return real;
  } catch (e) {
    throw new NeuronRuntimeError(
      'NRT_ERR_ARTIFACT_MISSING',
      `the artifact directory ${dir} does not exist or cannot be read; compile one with neuron-compile or check the path`,
      { cause: e },
    );
  }
  throw new NeuronRuntimeError(
    'NRT_ERR_ARTIFACT_MISSING',
    `${dir} is not a directory; pass the artifact directory (the one holding manifest.json)`,
  );
}

async function checkFile(root: string, entry: FileEntry, field: string, checksums: boolean): Promise<string> {
  const path = await resolveArtifactFile(root, entry.file, field);
  const size = (await stat(path)).size;
  if (size !== entry.bytes)
    throw new NeuronRuntimeError(
      'NRT_ERR_ARTIFACT_CHECKSUM',
      `'${entry.file}' (manifest.json ${field}) is ${size} bytes but the manifest says ${entry.bytes}; the file was truncated or replaced: restore it or recompile the artifact`,
    );
  if (checksums) {
    const { sha256 } = await sha256File(path);
    if (sha256 !== entry.sha256)
      throw new NeuronRuntimeError(
        'NRT_ERR_ARTIFACT_CHECKSUM',
        `'${entry.file}' (manifest.json ${field}) has sha256 ${sha256} but the manifest says ${entry.sha256}; the file was modified: restore it or recompile the artifact`,
      );
  }
  return path;
}

/**
 * Open a compiled artifact directory: read manifest.json, check its format and schema
 * (validateManifest), then every file it lists (partitions, vocab, report, files[]): the path stays
 * inside the directory after symlinks, the file exists, its size and sha256 match. Throws
 * NeuronRuntimeError NRT_ERR_ARTIFACT_{MISSING,FORMAT,SCHEMA,PATH,CHECKSUM} naming the file or field.
 */
export async function loadArtifact(dir: string, options: LoadArtifactOptions = {}): Promise<LoadedArtifact> {
  const checksums = options.checksums ?? true;
  const root = await realDir(dir);
  const manifestPath = await resolveArtifactFile(root, 'manifest.json', '(the manifest itself)');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (e) {
    throw new NeuronRuntimeError('NRT_ERR_ARTIFACT_MISSING', `cannot read ${manifestPath}: ${String(e)}`, {
      cause: e,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new NeuronRuntimeError(
      'NRT_ERR_ARTIFACT_FORMAT',
      `${manifestPath} is not valid JSON (${(e as Error).message}); the artifact is damaged: recompile it`,
      { cause: e },
    );
  }
  const manifest = validateManifest(json);
  const checked = new Map<string, Promise<string>>();
  const check = (entry: FileEntry, field: string): Promise<string> => {
    let p = checked.get(entry.file);
    if (p === undefined) {
      p = checkFile(root, entry, field, checksums);
      checked.set(entry.file, p);
    }
    return p;
  };
  const partitionPaths: Record<string, string> = {};
  for (const [i, p] of manifest.partitions.entries())
    partitionPaths[p.name] = await check(p, `partitions[${i}] '${p.name}'`);
  const vocab = manifest.tokenizer.vocab;
  const vocabPath = vocab ? await check(vocab, 'tokenizer.vocab') : null;
  const reportPath = manifest.report ? await check(manifest.report, 'report') : null;
  const filePaths: string[] = [];
  for (const [i, f] of manifest.files.entries()) filePaths.push(await check(f, `files[${i}]`));
  return { dir: root, manifest, partitionPaths, vocabPath, reportPath, filePaths };
}
