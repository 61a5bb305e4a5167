import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Runtime from '../../src/index.js';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The built package (dist), as a consumer imports it: NeuronDevice starts dist/core-worker.js,
 * which only exists built (the pipeline builds before testing; locally: pnpm exec tsup).
 */
export async function builtRuntime(): Promise<typeof Runtime> {
  const index = join(PACKAGE_DIR, 'dist', 'index.js');
  const worker = join(PACKAGE_DIR, 'dist', 'core-worker.js');
  for (const f of [index, worker])
    if (!existsSync(f)) throw new Error(`${f} is missing: build the package first (pnpm exec tsup)`);
  if (statSync(worker).mtimeMs < newestSource(join(PACKAGE_DIR, 'src')))
    throw new Error('dist is older than src: rebuild the package (pnpm exec tsup) before testing the device');
  const url = new URL(`file://${index}`).href;
  return (await import(/* @vite-ignore */ url)) as typeof Runtime;
}
