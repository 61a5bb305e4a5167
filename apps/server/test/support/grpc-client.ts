// A standard gRPC client of mrpc.mrpc/paraphrase, built with @grpc/grpc-js from the server's proto.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const SERVER_PROTO = fileURLToPath(new URL('../../proto/mrpc.proto', import.meta.url));

export interface YesNo {
  readonly message: string;
  readonly prediction: string;
}

interface MrpcClient extends grpc.Client {
  paraphrase(
    request: { text_a: Buffer; text_b: Buffer },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: { message: Buffer; prediction: Buffer }) => void,
  ): grpc.ClientUnaryCall;
}

export function mrpcClient(address: string): MrpcClient {
  const definition = protoLoader.loadSync(SERVER_PROTO, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    mrpc: { mrpc: grpc.ServiceClientConstructor };
  };
  return new pkg.mrpc.mrpc(address, grpc.credentials.createInsecure()) as unknown as MrpcClient;
}

/** Call paraphrase; resolves with the decoded reply, rejects with the ServiceError. */
export function paraphrase(
  client: MrpcClient,
  textA: string | Buffer,
  textB: string | Buffer,
  deadlineMs?: number,
): Promise<YesNo> {
  const toBytes = (t: string | Buffer) => (typeof t === 'string' ? Buffer.from(t, 'utf8') : t);
  return new Promise((resolve, reject) => {
    client.paraphrase(
      { text_a: toBytes(textA), text_b: toBytes(textB) },
      deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
      (error, reply) =>
        error
          ? reject(error)
          : resolve({
              message: reply!.message.toString('utf8'),
              prediction: reply!.prediction.toString('utf8'),
            }),
    );
  });
}

/** The ServiceError a call rejected with. */
export async function grpcError(p: Promise<unknown>): Promise<grpc.ServiceError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: grpc.ServiceError) => e,
  );
}
