// Secondary API for tests (`@bert-neuron/batcher/testing`).
export { FakeClock } from './fake-clock.js';
