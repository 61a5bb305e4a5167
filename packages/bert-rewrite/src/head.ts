/** The task head on top of the encoder. */
export type BertHeadKind = 'sequence-classification' | 'question-answering' | 'pretraining' | 'encoder';
