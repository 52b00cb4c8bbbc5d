// The fuzz tests draw from the same seeded PRNG (mulberry32) as the sample generator, so a failure
// reproduces from its seed.
export { seededRandom } from '../../src/core/sample/shapes';
