import type { FastifyInstance } from 'fastify';
import { paraphraseAnswer } from '../model/mrpc-answer.js';
import { classifyAll } from './classify-all.js';
import { handleInference } from './handle-inference.js';
import type { HttpContext } from './http-context.js';
import { parsePair, parsePairList } from './pair-body.js';

/**
 * POST /v1/paraphrase {text_a, text_b} -> {prediction, label, message, probabilities};
 * POST /v1/paraphrase/batch {pairs: [...]} (1 to 64) -> {results: [...]}, in order.
 */
export function registerV1Routes(app: FastifyInstance, ctx: HttpContext): void {
  const { engine } = ctx;
  app.post('/v1/paraphrase', (request, reply) =>
    handleInference(ctx, 'v1_paraphrase', reply, async (signal) => {
      const { textA, textB } = parsePair(request.body);
      const [scores] = await classifyAll(engine, [engine.encodeText(textA, textB)], signal);
      return paraphraseAnswer(scores!);
    }),
  );
  app.post('/v1/paraphrase/batch', (request, reply) =>
    handleInference(ctx, 'v1_paraphrase_batch', reply, async (signal) => {
      const pairs = parsePairList(request.body);
      const scores = await classifyAll(
        engine,
        pairs.map((p) => engine.encodeText(p.textA, p.textB)),
        signal,
      );
      return { results: scores.map(paraphraseAnswer) };
    }),
  );
}
