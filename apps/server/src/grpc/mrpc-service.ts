import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { InferenceEngine } from '../engine/inference-engine.js';
import { errorStatus } from '../error-status.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { MRPC_MESSAGES } from '../model/mrpc-answer.js';
import type { ServerLogger } from '../server-logger.js';
import { textFromBytes } from '../text/text-field.js';
import { mrpcProtoPath } from './mrpc-proto-path.js';

/** TextPair as proto-loader decodes it (bytes as Buffers; absent fields as empty Buffers). */
interface TextPair {
  readonly text_a?: Buffer;
  readonly text_b?: Buffer;
}

interface YesNo {
  readonly message: Buffer;
  readonly prediction: Buffer;
}

/** The `mrpc.mrpc` service definition from proto/mrpc.proto. */
export function loadMrpcDefinition(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(mrpcProtoPath(), { keepCase: true, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    mrpc: { mrpc: grpc.ServiceClientConstructor };
  };
  return loaded.mrpc.mrpc.service;
}

function deadlineOf(call: grpc.ServerUnaryCall<TextPair, YesNo>): number | undefined {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A grpc-js server with the reference's service `mrpc.mrpc/paraphrase`: TextPair{bytes text_a,
 * text_b} -> YesNo{message "paraphrase!" / "not paraphrase!", prediction "1" / "0"}. The texts must
 * be non-empty UTF-8 (INVALID_ARGUMENT otherwise); the client's deadline is honoured (a request that
 * has not started by then leaves the queue); a cancelled call withdraws its waiting request. Errors
 * carry `CODE: message` as details and the code in the `error-code` metadata (and `retry-after`
 * seconds with RESOURCE_EXHAUSTED).
 */
export function createMrpcServer(
  engine: InferenceEngine,
  metrics: ServerMetrics,
  logger: ServerLogger,
): grpc.Server {
  const server = new grpc.Server();
  server.addService(loadMrpcDefinition(), {
    paraphrase: (call: grpc.ServerUnaryCall<TextPair, YesNo>, callback: grpc.sendUnaryData<YesNo>) => {
      const controller = new AbortController();
      const onCancelled = (): void => controller.abort(new Error('the client cancelled the call'));
      call.once('cancelled', onCancelled);
      const answer = async (): Promise<YesNo> => {
        const a = textFromBytes(call.request.text_a, 'text_a');
        const b = textFromBytes(call.request.text_b, 'text_b');
        const deadline = deadlineOf(call);
        const scores = await engine.classify(engine.encodeText(a, b), {
          signal: controller.signal,
          ...(deadline !== undefined ? { deadline } : {}),
        });
        const p = scores.prediction === 1 ? 1 : 0;
        return { message: Buffer.from(MRPC_MESSAGES[p]), prediction: Buffer.from(String(p)) };
      };
      answer().then(
        (reply) => {
          call.off('cancelled', onCancelled);
          metrics.request('grpc_paraphrase', 'ok');
          callback(null, reply);
        },
        (error: unknown) => {
          call.off('cancelled', onCancelled);
          const s = errorStatus(error);
          metrics.request('grpc_paraphrase', s.code);
          if (s.http >= 500 && s.http !== 503)
            logger.error(`grpc paraphrase failed: ${s.code}: ${s.message}`);
          const metadata = new grpc.Metadata();
          metadata.set('error-code', s.code);
          if (s.retryAfterSeconds !== undefined) metadata.set('retry-after', String(s.retryAfterSeconds));
          callback({ code: s.grpc, details: `${s.code}: ${s.message}`, metadata });
        },
      );
    },
  });
  return server;
}

/** Bind a grpc-js server to host:port (0: ephemeral); resolves with the bound port. */
export function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
}

/** Stop a grpc-js server: let running calls finish for up to `timeoutMs`, then force it. */
export function shutdownGrpc(server: grpc.Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, timeoutMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
