import * as grpc from '@grpc/grpc-js';
import { loadMrpcService } from '../../src/index.js';
import { decide, type FakeBehavior, FakeStats } from './fake-model.js';

export interface FakeGrpcServer {
  /** host:port */
  target: string;
  stats: FakeStats;
  close(): Promise<void>;
}

interface TextPair {
  text_a: Buffer;
  text_b: Buffer;
}

/**
 * A @grpc/grpc-js server on 127.0.0.1, port 0, implementing `mrpc.mrpc/paraphrase` as the reference
 * does (prediction "1"/"0", message "paraphrase!"/"not paraphrase!"), with `behavior`; failures use
 * the gRPC status numbers in `behavior.failures`.
 */
export async function startFakeGrpcServer(behavior: FakeBehavior = {}): Promise<FakeGrpcServer> {
  const stats = new FakeStats();
  const server = new grpc.Server();
  server.addService(loadMrpcService().service, {
    paraphrase: (
      call: grpc.ServerUnaryCall<TextPair, unknown>,
      callback: grpc.sendUnaryData<{ message: Buffer; prediction: Buffer }>,
    ) => {
      const n = ++stats.received;
      const a = call.request.text_a.toString('utf8');
      const b = call.request.text_b.toString('utf8');
      void decide(behavior, stats, n, a, b).then((decision) => {
        if (decision.kind === 'fail') {
          const code = decision.status === 400 ? grpc.status.INVALID_ARGUMENT : decision.status;
          return callback({ code, details: 'injected failure' });
        }
        const yes = decision.prediction === 1;
        callback(null, {
          message: Buffer.from(yes ? 'paraphrase!' : 'not paraphrase!'),
          prediction: Buffer.from(yes ? '1' : '0'),
        });
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return {
    target: `127.0.0.1:${port}`,
    stats,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
