// Builds the package in the current directory twice with tsc: CommonJS to dist/cjs and ESM to
// dist/esm (house style: two tsc passes instead of a bundler). The ESM folder gets its own
// package.json so Node treats its .js files as modules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
execFileSync(
  process.execPath,
  [
    tsc,
    '-p',
    'tsconfig.build.json',
    '--module',
    'ES2022',
    '--moduleResolution',
    'Bundler',
    '--outDir',
    'dist/esm',
  ],
  { stdio: 'inherit' },
);
mkdirSync(join('dist', 'esm'), { recursive: true });
writeFileSync(join('dist', 'esm', 'package.json'), '{ "type": "module" }\n');
writeFileSync(join('dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
