import type { AddressInfo } from 'node:net';
import packageJson from '../package.json' with { type: 'json' };
import { InferenceEngine } from './engine/inference-engine.js';
import { averageThroughputLine, ThroughputMeter, type ThroughputSummary } from './engine/throughput-meter.js';
import { ServerError } from './errors.js';
import { bindGrpc, createMrpcServer, shutdownGrpc } from './grpc/mrpc-service.js';
import { createHttpApp } from './http/create-http-app.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { loadModel } from './model/load-model.js';
import type { RunningServer } from './running-server.js';
import type { ServerLogger } from './server-logger.js';
import { resolveServerOptions, type ServerOptions } from './server-options.js';

/** The model's name in the v2 API. */
export const MODEL_NAME = 'bert';

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function listenError(what: string, host: string, port: number, cause: unknown): ServerError {
  return new ServerError(
    'SRV_ERR_LISTEN',
    `cannot listen for ${what} on ${host}:${port}: ${(cause as Error).message}; pick another port (0 picks a free one) or stop the process using it`,
    { cause },
  );
}

/**
 * Start bert-server in this process: load and check the artifact (fast; NRT_ERR_ARTIFACT_*,
 * SRV_ERR_BATCH_MISMATCH, SRV_ERR_ARTIFACT, SRV_ERR_VOCAB), bind the HTTP and gRPC ports (they answer
 * 503 / UNAVAILABLE while the model loads), open the device (one replica per core, warmed up), then
 * take requests. Resolves once ready, after printing `listening http://host:port grpc host:port`.
 * On a failure everything opened so far is closed before the error is thrown.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const o = resolveServerOptions(options);
  const print = o.print ?? (() => {});
  const model = await loadModel({
    dir: o.dir,
    ...(o.batch !== undefined ? { batch: o.batch } : {}),
    ...(o.vocab !== undefined ? { vocab: o.vocab } : {}),
    checksums: o.checksums,
  });
  const meter = new ThroughputMeter(o.throughputLines ? { print } : {});
  let metrics: ServerMetrics | undefined;
  // The logger is fastify's; the engine needs one before the app exists, so it goes through this.
  let log: ServerLogger = { info() {}, warn() {}, error() {} };
  const logger: ServerLogger = {
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
  };
  const engine = new InferenceEngine({
    model,
    cores: o.cores,
    threadsPerCore: o.threadsPerCore,
    maxDelayMs: o.maxDelayMs,
    maxQueue: o.maxQueue,
    requestTimeoutMs: o.requestTimeoutMs,
    onBatch: (event) => {
      metrics!.batch(event);
      if (event.outcome === 'ok') meter.add(event.realCount);
    },
    onQueued: (ms) => metrics!.queued(ms),
    logger,
    ...(o.faultInjection ? { faultInjection: o.faultInjection } : {}),
  });
  metrics = new ServerMetrics(engine, model.io.batchSize);
  const app = createHttpApp(
    { engine, metrics, modelName: MODEL_NAME, version: packageJson.version },
    { logLevel: o.logLevel, ...(o.logStream ? { logStream: o.logStream } : {}) },
  );
  log = {
    info: (m) => app.log.info(m),
    warn: (m) => app.log.warn(m),
    error: (m) => app.log.error(m),
  };
  const grpcServer = createMrpcServer(engine, metrics, logger);
  let httpPort: number;
  let grpcPort: number;
  try {
    try {
      await app.listen({ host: o.host, port: o.port });
    } catch (e) {
      throw listenError('HTTP', o.host, o.port, e);
    }
    httpPort = (app.server.address() as AddressInfo).port;
    try {
      grpcPort = await bindGrpc(grpcServer, o.host, o.grpcPort);
    } catch (e) {
      throw listenError('gRPC', o.host, o.grpcPort, e);
    }
    logger.info(
      `loading ${model.artifact.dir}: batch ${model.io.batchSize}, buckets ${model.io.buckets.join(', ')}, ${o.cores} core(s) x ${o.threadsPerCore} thread(s)`,
    );
    await engine.start();
  } catch (e) {
    grpcServer.forceShutdown();
    await app.close().catch(() => undefined);
    await engine.shutdown(0).catch(() => undefined);
    throw e;
  }
  const httpUrl = `http://${hostForUrl(o.host)}:${httpPort}`;
  const grpcAddress = `${hostForUrl(o.host)}:${grpcPort}`;
  meter.start();
  print(`listening ${httpUrl} grpc ${grpcAddress}`);
  logger.info(`ready: http ${httpUrl}, grpc ${grpcAddress}`);

  let closing: Promise<ThroughputSummary> | undefined;
  const close = (): Promise<ThroughputSummary> => {
    closing ??= (async () => {
      logger.info('shutting down: draining in-flight requests');
      await Promise.all([
        engine.shutdown(o.drainTimeoutMs),
        new Promise((resolve) => setTimeout(resolve, o.minDrainMs)),
      ]);
      await Promise.all([app.close(), shutdownGrpc(grpcServer, 2_000)]);
      const summary = meter.stop();
      print(averageThroughputLine(summary));
      logger.info('stopped');
      return summary;
    })();
    return closing;
  };
  return {
    httpUrl,
    grpcAddress,
    httpPort,
    grpcPort,
    engine,
    metrics,
    get state() {
      return engine.state;
    },
    close,
  };
}
