import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadgenError } from './errors.js';

const PROTO_RELATIVE = join('proto', 'mrpc.proto');

/**
 * The path of `proto/mrpc.proto` in this package: found by walking up from this module's directory
 * (src/ when run from source, dist/ when built), so it works from the source, the build and an
 * installed copy (the file is listed in package.json `files`).
 */
export function mrpcProtoPath(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, PROTO_RELATIVE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new LoadgenError(
    'LDG_ERR_PROTO',
    `cannot find ${PROTO_RELATIVE} above ${from}: the @bert-neuron/loadgen package is incomplete; reinstall it`,
  );
}
