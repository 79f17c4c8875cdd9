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

// CommonJS only: make `module.exports` the function, as aws-kcl's `index.js` does, keeping the
// named exports on it. `export =` cannot be used since the ESM build compiles this same file. The
// test is on `module.exports.kcl` rather than `module.exports === exports` because esbuild (tsx)
// replaces `module.exports` early. In the ESM build `module` is undefined and this does nothing.
declare const module: { exports: unknown } | undefined;
const cjs = typeof module === 'object' && module !== null ? module : undefined;
const current = cjs?.exports as Record<string, unknown> | undefined;
if (cjs !== undefined && current?.kcl === kcl) {
  cjs.exports = Object.assign(kcl, { ...current, kcl, default: kcl, __esModule: true });
}
