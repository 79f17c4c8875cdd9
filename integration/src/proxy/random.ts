/**
 * The seeded random source the proxy and the chaos schedule use, from common (one mulberry32 for
 * the project), kept here so that `@kinesis-kit/integration`'s own export stays where it was.
 */
export { seededRandom } from '@kinesis-kit/common';
