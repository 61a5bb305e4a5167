import type { Dim, Value } from '@bert-neuron/graph-ir';
import type { GeluForm } from '../bert-config.js';
import type { NodeEmitter } from './node-emitter.js';

/** sqrt(2/pi) and the cubic coefficient of the tanh approximation. */
const TANH_SCALE = Math.sqrt(2 / Math.PI);
const TANH_CUBIC = 0.044715;
/** The reference's aggressive GELU: x * sigmoid(1.702 x). */
const SIGMOID_SCALE = 1.702;

/**
 * GELU in the source model's form, elementwise on x (constants are float32 scalars):
 * - erf: x * 0.5 * (1 + erf(x / sqrt 2)) (exact);
 * - tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x^3 as x * (x * x);
 * - sigmoid: x * sigmoid(1.702 x) (within about 2e-2 of the exact GELU).
 */
export function emitGelu(e: NodeEmitter, x: Value, form: GeluForm, shape: readonly Dim[]): Value {
  const s = { shape: [...shape] };
  switch (form) {
    case 'erf': {
      const scaled = e.op('Div', [x, e.scalar('sqrt2', Math.SQRT2)], s);
      const erf = e.op('Erf', [scaled], s);
      const onePlus = e.op('Add', [erf, e.scalar('one', 1)], s);
      const xTimes = e.op('Mul', [x, onePlus], s);
      return e.op('Mul', [xTimes, e.scalar('half', 0.5)], s);
    }
    case 'tanh': {
      const square = e.op('Mul', [x, x], { ...s, name: 'square' });
      const cube = e.op('Mul', [x, square], { ...s, name: 'cube' });
      const cubic = e.op('Mul', [cube, e.scalar('cubic', TANH_CUBIC)], s);
      const inner = e.op('Add', [x, cubic], s);
      const scaled = e.op('Mul', [inner, e.scalar('sqrt_2_over_pi', TANH_SCALE)], s);
      const t = e.op('Tanh', [scaled], s);
      const onePlus = e.op('Add', [t, e.scalar('one', 1)], s);
      const half = e.op('Mul', [x, e.scalar('half', 0.5)], s);
      return e.op('Mul', [half, onePlus], s);
    }
    case 'sigmoid': {
      const scaled = e.op('Mul', [x, e.scalar('scale', SIGMOID_SCALE)], s);
      const gate = e.op('Sigmoid', [scaled], s);
      return e.op('Mul', [x, gate], s);
    }
  }
}
