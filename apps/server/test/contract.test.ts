// The gRPC contract: the server's proto declares the reference's service and messages, and the same
// ones as the load generator's copy (apps/loadgen/proto/mrpc.proto) when that exists.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { mrpcProtoPath } from '../src/index.js';
import { SERVER_PROTO } from './support/grpc-client.js';

const LOADGEN_PROTO = fileURLToPath(new URL('../../loadgen/proto/mrpc.proto', import.meta.url));

interface Field {
  name: string;
  number: number;
  type: string;
  label: string;
}

/** Service methods and message fields of a proto, as comparable plain data. */
function contract(path: string) {
  const def = protoLoader.loadSync(path, { keepCase: true });
  const service = def['mrpc.mrpc'] as protoLoader.ServiceDefinition;
  const fields = (t: protoLoader.MessageTypeDefinition<object, object>) =>
    (t.type as { field: Field[] }).field.map(({ name, number, type, label }) => ({
      name,
      number,
      type,
      label,
    }));
  return Object.fromEntries(
    Object.entries(service).map(([name, m]) => [
      name,
      {
        path: m.path,
        requestStream: m.requestStream,
        responseStream: m.responseStream,
        request: { name: (m.requestType.type as { name: string }).name, fields: fields(m.requestType) },
        response: { name: (m.responseType.type as { name: string }).name, fields: fields(m.responseType) },
      },
    ]),
  );
}

describe('mrpc.proto', () => {
  it('is the reference contract: mrpc.mrpc/paraphrase TextPair{bytes text_a=1; bytes text_b=2} -> YesNo{bytes message=1; bytes prediction=2}', () => {
    expect(mrpcProtoPath()).toBe(SERVER_PROTO);
    const bytes = (name: string, number: number) => ({
      name,
      number,
      type: 'TYPE_BYTES',
      label: 'LABEL_OPTIONAL',
    });
    expect(contract(SERVER_PROTO)).toEqual({
      paraphrase: {
        path: '/mrpc.mrpc/paraphrase',
        requestStream: false,
        responseStream: false,
        request: { name: 'TextPair', fields: [bytes('text_a', 1), bytes('text_b', 2)] },
        response: { name: 'YesNo', fields: [bytes('message', 1), bytes('prediction', 2)] },
      },
    });
  });

  it.skipIf(!existsSync(LOADGEN_PROTO))(
    "declares the same service and messages as the load generator's copy",
    () => {
      expect(contract(LOADGEN_PROTO)).toEqual(contract(SERVER_PROTO));
    },
  );
});
