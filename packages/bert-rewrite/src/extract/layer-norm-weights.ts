import type { LayerNormWeights } from '../bert-weights.js';
import type { LayerNormMatch } from '../detect/layer-norm-match.js';
import { weightData } from './weight-data.js';

/** gamma and beta of a LayerNorm match (ones and zeros where the graph has none). */
export function layerNormWeights(ln: LayerNormMatch, size: number, copy = false): LayerNormWeights {
  return {
    gamma: ln.gamma ? weightData(ln.gamma, copy) : new Float32Array(size).fill(1),
    beta: ln.beta ? weightData(ln.beta, copy) : new Float32Array(size),
  };
}
