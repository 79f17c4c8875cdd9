#!/usr/bin/env node
'use strict';
// Runs the built CLI when there is one (a published package); inside the repository, where
// nothing is built after `npm ci`, it runs the TypeScript sources through tsx with the root
// tsconfig, whose `paths` point every @kinesis-kit package at its sources.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'cjs', 'main.js');
let entry = built;
if (!existsSync(built)) {
  process.env.TSX_TSCONFIG_PATH ??= join(__dirname, '..', '..', '..', 'tsconfig.json');
  require('tsx/cjs');
  entry = join(__dirname, '..', 'src', 'main.ts');
}
require(entry)
  .runCli()
  .then((code) => {
    process.exitCode = code;
  });
