import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decide, type FakeBehavior, FakeStats } from './fake-model.js';

export interface FakeHttpServer {
  url: string;
  stats: FakeStats;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const ERROR_CODES: Record<number, string> = {
  400: 'SRV_ERR_BAD_REQUEST',
  429: 'SRV_ERR_QUEUE_FULL',
  500: 'SRV_ERR_INTERNAL',
  503: 'SRV_ERR_NOT_READY',
  504: 'SRV_ERR_DEADLINE',
};

/** A node:http server on 127.0.0.1, port 0, implementing bert-server's HTTP contract with `behavior`. */
export async function startFakeHttpServer(behavior: FakeBehavior = {}): Promise<FakeHttpServer> {
  const stats = new FakeStats();
  const started = performance.now();
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/v2/health/ready') {
      const ready = performance.now() - started >= (behavior.readyAfterMs ?? 0);
      return send(ready ? 200 : 503, { ready });
    }
    if (req.method !== 'POST' || req.url !== '/v1/paraphrase')
      return send(404, { error: 'not found', code: 'X' });
    const n = ++stats.received;
    let pair: { text_a?: unknown; text_b?: unknown };
    try {
      pair = JSON.parse(await readBody(req));
    } catch {
      return send(400, { error: 'bad json', code: 'SRV_ERR_BAD_REQUEST' });
    }
    const decision = await decide(behavior, stats, n, String(pair.text_a), String(pair.text_b));
    if (decision.kind === 'fail') {
      const headers: Record<string, string> = decision.status === 429 ? { 'retry-after': '1' } : {};
      return send(decision.status, { error: 'injected', code: ERROR_CODES[decision.status] ?? 'X' }, headers);
    }
    const p = decision.prediction;
    send(200, {
      prediction: p,
      label: p === 1 ? 'paraphrase' : 'not paraphrase',
      message: p === 1 ? 'paraphrase!' : 'not paraphrase!',
      probabilities: p === 1 ? [0.25, 0.75] : [0.75, 0.25],
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
