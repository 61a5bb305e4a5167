/** `bert-server --help`. */
export const USAGE = `bert-server: serve a compiled BERT artifact (MRPC paraphrase detection) over HTTP and gRPC

Usage:
  bert-server --dir <artifact> [options]
  bert-server --dir <artifact> --bootstrap [--bootstrap-seconds N] [--data dev.tsv]

Options:
  --dir <path>               compiled artifact directory (from neuron-compile)       (required)
  --batch <n>                compiled batch size; must equal the artifact's         (default 6)
  --parallel <n>             cores: one model replica and one batch lane each       (default: CPU count)
  --threads-per-core <n>     onnxruntime threads of each core                       (default 1)
  --host <addr>              interface of both listeners                            (default 127.0.0.1)
  --port <n>                 HTTP port; 0 picks a free one                          (default 8080)
  --grpc-port <n>            gRPC port (mrpc.mrpc/paraphrase); 0 picks a free one   (default 60061)
  --max-delay-ms <ms>        hold a short batch this long for more requests         (default 0: never)
  --max-queue <n>            most waiting requests; beyond it 429 / RESOURCE_EXHAUSTED (default 4096)
  --request-timeout-ms <ms>  a request must start within this; else 504             (default 30000)
  --drain-timeout-ms <ms>    at SIGINT/SIGTERM, time for in-flight requests         (default 30000)
  --vocab <file>             vocab.txt to use instead of the artifact's
  --bootstrap                run the MRPC dev set through the batcher instead of serving;
                             prints "current throughput N, accuracy A" each second
  --bootstrap-seconds <n>    how long the bootstrap runs; 0 until Ctrl-C            (default 10)
  --data <file>              MRPC TSV for the bootstrap      (default: shared data mrpc/dev.tsv)
  --quiet                    no "current throughput" lines; log warnings only
  -h, --help                 this help

Console (stdout): "listening http://HOST:PORT grpc HOST:PORT", then "current throughput N" every
second (real inferences finished in that second), and "average throughput X/s over T s" at exit.
Logs (pino JSON) go to stderr. Exit status: 0 success, 1 failure, 2 bad usage.
`;
