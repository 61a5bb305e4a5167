import { GrpcTransport } from './grpc-transport.js';
import { HttpTransport } from './http-transport.js';
import type { ResolvedLoadOptions } from './load-options.js';
import type { Transport } from './transport.js';

/** The HTTP or gRPC client for resolved options (HTTP: one keep-alive connection per client). */
export function createTransport(options: ResolvedLoadOptions): Transport {
  return options.protocol === 'grpc'
    ? new GrpcTransport({ target: options.target, timeoutMs: options.timeoutMs })
    : new HttpTransport({ url: options.target, connections: options.clients, timeoutMs: options.timeoutMs });
}
