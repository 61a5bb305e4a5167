import { Pool } from 'undici';
import type { LoadPair } from './dataset.js';
import { LoadgenError } from './errors.js';
import { BAD_RESPONSE_CODE, networkErrorCode, type Outcome, TIMEOUT_CODE } from './outcome.js';
import { sleep } from './sleep.js';
import type { Transport } from './transport.js';

export interface HttpTransportOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080 (a path prefix is kept). */
  url: string;
  /** Keep-alive connections in the pool (the closed loop's client count, bounded by the caller). */
  connections: number;
  /** Per-request timeout in milliseconds, from the moment the request is handed to the pool. */
  timeoutMs: number;
}

const PARAPHRASE_PATH = '/v1/paraphrase';
const READY_PATH = '/v2/health/ready';
const UNDICI_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Parses an HTTP(S) base URL; throws LDG_ERR_ARGUMENT. Returns the origin and the path prefix. */
export function parseBaseUrl(url: string): { origin: string; prefix: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new LoadgenError(
      'LDG_ERR_ARGUMENT',
      `invalid URL ${JSON.stringify(url)}: give e.g. http://127.0.0.1:8080`,
      {
        cause,
      },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LoadgenError(
      'LDG_ERR_ARGUMENT',
      `URL ${JSON.stringify(url)} must start with http:// or https:// (for gRPC use --grpc host:port)`,
    );
  }
  return { origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, '') };
}

/** Reads the JSON answer of POST /v1/paraphrase: the prediction, or null when it is not 0 or 1. */
function predictionOf(body: unknown): 0 | 1 | null {
  const prediction = (body as { prediction?: unknown } | null)?.prediction;
  return prediction === 0 || prediction === 1 ? prediction : null;
}

/**
 * The HTTP client: one undici Pool of keep-alive connections to the server; every request has its
 * own timeout. Requests beyond the pool's connections wait in the pool's queue (that wait is part
 * of the measured latency).
 */
export class HttpTransport implements Transport {
  readonly protocol = 'http' as const;
  readonly target: string;
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly timeoutMs: number;

  constructor(options: HttpTransportOptions) {
    const { origin, prefix } = parseBaseUrl(options.url);
    this.target = origin + prefix;
    this.prefix = prefix;
    this.timeoutMs = options.timeoutMs;
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // The per-request timer below decides; undici's own timers only back it up.
      headersTimeout: options.timeoutMs + 1_000,
      bodyTimeout: options.timeoutMs + 1_000,
    });
  }

  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no answer yet';
    let pause = 50;
    for (;;) {
      if (signal?.aborted)
        throw new LoadgenError('LDG_ERR_NOT_READY', 'interrupted while waiting for the server');
      const remaining = deadline - performance.now();
      try {
        const res = await this.pool.request({
          path: this.prefix + READY_PATH,
          method: 'GET',
          signal: AbortSignal.timeout(Math.ceil(Math.max(1, Math.min(2_000, remaining)))),
        });
        await res.body.dump();
        if (res.statusCode === 200) return;
        last = `HTTP ${res.statusCode}`;
      } catch (error) {
        last = (error as Error).name === 'TimeoutError' ? 'no answer within 2 s' : networkErrorCode(error);
      }
      if (performance.now() + pause >= deadline) {
        throw new LoadgenError(
          'LDG_ERR_NOT_READY',
          `server ${this.target} was not ready within ${timeoutMs} ms (GET ${READY_PATH}: ${last}): ` +
            'start bert-server, check --url, or raise --ready-timeout-ms',
        );
      }
      await sleep(pause);
      pause = Math.min(500, pause * 2);
    }
  }

  async send(pair: LoadPair): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const res = await this.pool.request({
        path: this.prefix + PARAPHRASE_PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text_a: pair.textA, text_b: pair.textB }),
        signal: controller.signal,
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        return { ok: false, code: `HTTP_${res.statusCode}` };
      }
      let body: unknown;
      try {
        body = await res.body.json();
      } catch (error) {
        if (timedOut) return { ok: false, code: TIMEOUT_CODE };
        if ((error as Error).name === 'SyntaxError') return { ok: false, code: BAD_RESPONSE_CODE };
        return { ok: false, code: networkErrorCode(error) };
      }
      const prediction = predictionOf(body);
      return prediction === null ? { ok: false, code: BAD_RESPONSE_CODE } : { ok: true, prediction };
    } catch (error) {
      const code = networkErrorCode(error);
      return { ok: false, code: timedOut || UNDICI_TIMEOUT_CODES.has(code) ? TIMEOUT_CODE : code };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
