#!/usr/bin/env node
console.error('onnx-ir: not built yet');
process.exit(1);
