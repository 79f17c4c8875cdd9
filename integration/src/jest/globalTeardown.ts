import { require as tsxRequire } from 'tsx/cjs/api';
import type * as Lifecycle from './lifecycle.js';

// See globalSetup.ts for why the hook loads its module through tsx.
const { teardownEmulators } = tsxRequire('./lifecycle.ts', __filename) as typeof Lifecycle;

export default teardownEmulators;
