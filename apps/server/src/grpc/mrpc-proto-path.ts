import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServerError } from '../errors.js';

const PROTO_RELATIVE = join('proto', 'mrpc.proto');

/**
 * The path of this package's `proto/mrpc.proto`, found by walking up from this module's directory
 * (src/grpc/ when run from source, dist/ when built).
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
  throw new ServerError(
    'SRV_ERR_INTERNAL',
    `cannot find ${PROTO_RELATIVE} above ${from}: the @bert-neuron/server package is incomplete; reinstall it`,
  );
}
