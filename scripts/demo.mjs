#!/usr/bin/env node
// `pnpm demo`: the project's main job. Until the server and load generator exist (issue
// "apps/server, apps/loadgen and pnpm demo"), it says what it will do and exits non-zero.
console.log(`bert-neuron demo (not available yet)

When complete, this command will:
  1. build every package;
  2. generate BERT-Large (hf-torch flavor, seeded random weights) unless it is cached;
  3. compile it with neuron-compile (batch 6, sequence 128, the fastest precision that verifies);
  4. start bert-server with one NeuronCore (a worker thread running ONNX Runtime on CPU) per CPU core;
  5. run bert-loadgen against it and print the reference-style per-second throughput and a latency report.

The weights are random, so accuracy is at chance level; throughput is the point.
What works today: pnpm bert-models generate ..., pnpm onnx-ir inspect ..., pnpm bert-text encode ... (see README.md).`);
process.exit(1);
