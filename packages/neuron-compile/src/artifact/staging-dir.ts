import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { NeuronCompileError } from '../errors.js';

/** Staging directories not yet committed or discarded, for cleanup on a signal. */
const live = new Set<StagingDir>();

/** Remove every staging directory still open (synchronously: safe in a signal handler). */
export function discardOpenStagingDirs(): number {
  const open = [...live];
  for (const s of open) s.discard();
  return open.length;
}

function outputError(message: string, cause?: unknown): NeuronCompileError {
  return new NeuronCompileError('NCC_ERR_OUTPUT', message, cause === undefined ? undefined : { cause });
}

/**
 * A temporary directory next to the output directory: the artifact is written there and renamed
 * into place at the end (`commit`), so a failed or interrupted compile leaves nothing half-written
 * (`discard` removes it). An existing output is refused unless `force`, and then replaced only at
 * the commit.
 */
export class StagingDir {
  readonly path: string;
  readonly target: string;
  readonly #force: boolean;
  #done = false;

  private constructor(path: string, target: string, force: boolean) {
    this.path = path;
    this.target = target;
    this.#force = force;
  }

  /** Check the output directory and create the staging directory. NCC_ERR_OUTPUT. */
  static create(outputDir: string, force: boolean): StagingDir {
    const target = resolve(outputDir);
    if (existsSync(target)) {
      if (!force)
        throw outputError(
          `the output directory ${outputDir} already exists; choose another one or pass --force to replace it`,
        );
      if (!statSync(target).isDirectory())
        throw outputError(
          `the output path ${outputDir} exists and is not a directory; remove it or choose another one`,
        );
    }
    const parent = dirname(target);
    const path = join(
      parent,
      `.${basename(target)}.ncc-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      mkdirSync(parent, { recursive: true });
      mkdirSync(path);
    } catch (e) {
      throw outputError(
        `cannot create the output directory ${outputDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check that ${parent} is a writable directory`,
        e,
      );
    }
    const s = new StagingDir(path, target, force);
    live.add(s);
    return s;
  }

  /** Move the staged artifact to the output directory (replacing it when forced). */
  commit(): void {
    if (this.#done)
      throw new NeuronCompileError('NCC_ERR_INTERNAL', 'the staging directory was already closed');
    let old: string | null = null;
    try {
      if (existsSync(this.target)) {
        if (!this.#force)
          throw outputError(`the output directory ${this.target} appeared while compiling; not replacing it`);
        old = `${this.path}.old`;
        renameSync(this.target, old);
      }
      renameSync(this.path, this.target);
    } catch (e) {
      if (old !== null && !existsSync(this.target)) renameSync(old, this.target);
      this.discard();
      if (e instanceof NeuronCompileError) throw e;
      throw outputError(`cannot move the artifact to ${this.target}: ${(e as Error).message}`, e);
    }
    if (old !== null) rmSync(old, { recursive: true, force: true });
    this.#done = true;
    live.delete(this);
  }

  /** Remove the staging directory and everything in it. */
  discard(): void {
    if (this.#done) return;
    rmSync(this.path, { recursive: true, force: true });
    this.#done = true;
    live.delete(this);
  }
}
