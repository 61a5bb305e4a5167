// Paths of the real exports under /work/shared/data/onnx-fixtures (see its README.md).
const ROOT = '/work/shared/data/onnx-fixtures';
const ORT = `${ROOT}/onnxruntime`;

export const FIXTURES = {
  kerasSquad: `${ORT}/bert_squad_tensorflow2.1_keras2onnx_opset11/TFBertForQuestionAnswering.onnx`,
  torchSquadOpset10: `${ORT}/bert_squad_pytorch1.4_opset10_fp32/BertForQuestionAnswering.onnx`,
  torchSquadOpset11: `${ORT}/bert_squad_pytorch1.4_opset11/BertForQuestionAnswering_0.onnx`,
  torchSquadFp16: `${ORT}/bert_squad_pytorch1.4_opset11_fp16/BertForQuestionAnswering.onnx`,
  torchSquadFp16OrtOptimized: `${ORT}/bert_squad_pytorch1.4_opset11_fp16/BertForQuestionAnswering_ort_cpu.onnx`,
  bertToy: `${ORT}/bert_toy/bert_toy_optimized.onnx`,
  attentionOpt: `${ORT}/fused_subgraphs/attention_opt.onnx`,
  distilbert: `${ROOT}/optimum/tiny-distilbert-classification/model.onnx`,
} as const;
