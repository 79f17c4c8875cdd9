/**
 * `@kinesis-kit/consumer/kcl`: a drop-in for the npm `aws-kcl` package. Like aws-kcl,
 * `require('@kinesis-kit/consumer/kcl')` returns the `kcl` function itself, so an aws-kcl app
 * changes one line; `import kcl from` and `import { kcl } from` work too.
 * @packageDocumentation
 */
import { kcl } from './kclProcess.js';

export { kcl, KCL_CHILD_ENV, KCL_PROPERTIES_ENV } from './kclProcess.js';
export { KclCheckpointError } from './checkpointer.js';
export type {
  KclCheckpointCallback,
  KclCheckpointer,
  KclCheckpointerInput,
  KclCompleteCallback,
  KclInitializeInput,
  KclProcess,
  KclProcessRecordsInput,
  KclRecord,
  KclRecordProcessor,
  KclShutdownInput,
} from './types.js';
export default kcl;

// The CommonJS build only: make `module.exports` the function, as aws-kcl's `index.js` does,
// keeping the named exports on it. `export =` cannot be used since the ESM build compiles this
// same file. In the ESM build `module` is undefined and this does nothing.
declare const module: { exports: unknown } | undefined;
declare const exports: Record<string, unknown>;
if (typeof module === 'object' && module !== null && module.exports === exports) {
  module.exports = Object.assign(kcl, { ...exports, kcl, default: kcl, __esModule: true });
}
