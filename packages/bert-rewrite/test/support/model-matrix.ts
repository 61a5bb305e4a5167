// The bert-models configurations the detect/extract tests run over. Test support only.
import {
  BERT_PRESETS,
  type BertFlavor,
  type BertHead,
  type GeluForm,
  type GenerateBertOptions,
} from '@bert-neuron/bert-models';

export interface MatrixCase {
  readonly name: string;
  readonly options: GenerateBertOptions & { flavor: BertFlavor; head: BertHead; seed: number };
  readonly gelu: GeluForm;
}

const HEADS: readonly BertHead[] = ['sequence-classification', 'question-answering', 'encoder'];

/** hf-torch: tiny at opsets 11/13/14/17 x 3 heads x dropout; mini at the same opsets x 3 heads; tanh GELU twice. */
export function hfTorchCases(): MatrixCase[] {
  const out: MatrixCase[] = [];
  let seed = 11;
  for (const opset of [11, 13, 14, 17])
    for (const head of HEADS) {
      for (const dropout of [false, true])
        out.push({
          name: `tiny opset ${opset} ${head}${dropout ? ' dropout' : ''}`,
          options: { config: BERT_PRESETS.tiny, flavor: 'hf-torch', head, opset, dropout, seed: seed++ },
          gelu: 'erf',
        });
      out.push({
        name: `mini opset ${opset} ${head}${opset === 13 ? ' dropout' : ''}`,
        options: {
          config: BERT_PRESETS.mini,
          flavor: 'hf-torch',
          head,
          opset,
          dropout: opset === 13,
          seed: seed++,
        },
        gelu: 'erf',
      });
    }
  for (const opset of [11, 17])
    out.push({
      name: `tiny opset ${opset} question-answering tanh GELU`,
      options: {
        config: BERT_PRESETS.tiny,
        flavor: 'hf-torch',
        head: 'question-answering',
        opset,
        gelu: 'tanh',
        seed: seed++,
      },
      gelu: 'tanh',
    });
  return out;
}

/** tf-google: tiny and mini x 3 heads, sequence length 64. */
export function tfGoogleCases(): MatrixCase[] {
  const out: MatrixCase[] = [];
  let seed = 101;
  for (const preset of ['tiny', 'mini'] as const)
    for (const head of HEADS)
      out.push({
        name: `${preset} ${head}`,
        options: {
          config: BERT_PRESETS[preset],
          flavor: 'tf-google',
          head,
          opset: preset === 'tiny' ? 13 : 17,
          sequenceLength: 64,
          seed: seed++,
        },
        gelu: 'tanh',
      });
  return out;
}
