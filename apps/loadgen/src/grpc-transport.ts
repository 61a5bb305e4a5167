import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { LoadPair } from './dataset.js';
import { LoadgenError } from './errors.js';
import { BAD_RESPONSE_CODE, type Outcome } from './outcome.js';
import { mrpcProtoPath } from './proto-path.js';
import type { Transport } from './transport.js';

export interface GrpcTransportOptions {
  /** Server address, host:port (e.g. 127.0.0.1:60061). */
  target: string;
  /** Per-call deadline in milliseconds, from the moment the call starts. */
  timeoutMs: number;
}

/** The reply of `mrpc.mrpc/paraphrase` as proto-loader decodes it (bytes fields as Buffers). */
interface YesNo {
  message?: Buffer;
  prediction?: Buffer;
}

interface MrpcClient extends grpc.Client {
  paraphrase(
    request: { text_a: Buffer; text_b: Buffer },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: YesNo) => void,
  ): grpc.ClientUnaryCall;
}

/** Loads the `mrpc.mrpc` service definition from proto/mrpc.proto; throws LDG_ERR_PROTO. */
export function loadMrpcService(): grpc.ServiceClientConstructor {
  const path = mrpcProtoPath();
  try {
    const definition = protoLoader.loadSync(path, { keepCase: true, defaults: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      mrpc: { mrpc: grpc.ServiceClientConstructor };
    };
    return loaded.mrpc.mrpc;
  } catch (cause) {
    throw new LoadgenError(
      'LDG_ERR_PROTO',
      `cannot load the gRPC contract ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/** `GRPC_<NAME>` for a gRPC status code, e.g. GRPC_RESOURCE_EXHAUSTED. */
export function grpcStatusCode(code: number): string {
  const name = grpc.status[code] as string | undefined;
  return `GRPC_${name ?? String(code)}`;
}

/**
 * The gRPC client: one channel (HTTP/2 multiplexes every client's calls over it), a deadline per
 * call. Calls the reference contract `mrpc.mrpc/paraphrase` with the texts as UTF-8 bytes.
 */
export class GrpcTransport implements Transport {
  readonly protocol = 'grpc' as const;
  readonly target: string;
  private readonly client: MrpcClient;
  private readonly timeoutMs: number;

  constructor(options: GrpcTransportOptions) {
    this.target = options.target;
    this.timeoutMs = options.timeoutMs;
    const Service = loadMrpcService();
    this.client = new Service(options.target, grpc.credentials.createInsecure(), {
      // Notice a server that comes up while we wait for readiness within 100 ms to 1 s.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
    }) as unknown as MrpcClient;
  }

  waitReady(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (reason: string): void =>
        reject(
          new LoadgenError(
            'LDG_ERR_NOT_READY',
            `gRPC server ${this.target} was not ready within ${timeoutMs} ms (${reason}): start bert-server, ` +
              'check --grpc, or raise --ready-timeout-ms',
          ),
        );
      if (signal?.aborted) return fail('interrupted');
      this.client.waitForReady(Date.now() + timeoutMs, (error) => (error ? fail(error.message) : resolve()));
    });
  }

  send(pair: LoadPair): Promise<Outcome> {
    return new Promise((resolve) => {
      const request = { text_a: Buffer.from(pair.textA, 'utf8'), text_b: Buffer.from(pair.textB, 'utf8') };
      try {
        this.client.paraphrase(request, { deadline: Date.now() + this.timeoutMs }, (error, reply) => {
          if (error) return resolve({ ok: false, code: grpcStatusCode(error.code) });
          const prediction = reply?.prediction?.toString('utf8');
          if (prediction === '1') return resolve({ ok: true, prediction: 1 });
          if (prediction === '0') return resolve({ ok: true, prediction: 0 });
          resolve({ ok: false, code: BAD_RESPONSE_CODE });
        });
      } catch {
        // grpc-js throws synchronously only for a closed client.
        resolve({ ok: false, code: grpcStatusCode(grpc.status.CANCELLED) });
      }
    });
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
