import { require as tsxRequire } from 'tsx/cjs/api';
import type * as Lifecycle from './lifecycle.js';

// jest loads its global hooks with plain Node resolution (no moduleNameMapper), which cannot map
// the `.js` specifiers our sources use to their `.ts` files; tsx's require can.
const { setupEmulators } = tsxRequire('./lifecycle.ts', __filename) as typeof Lifecycle;

export default setupEmulators;
