// Helpers for tests of this and other packages: structural model comparison and seeded data.
export { compareModels } from './compare-models.js';
export { SeededRandom } from './seeded-random.js';
