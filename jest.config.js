// Two jest projects: `unit` (no network, fast) and `integration` (the embedded emulators, started
// once by globalSetup on free ports, or external endpoints from KINESIS_ENDPOINT/DYNAMODB_ENDPOINT).
const moduleNameMapper = {
  '^@kinesis-kit/common$': '<rootDir>/packages/common/src/index.ts',
  '^@kinesis-kit/common/testing$': '<rootDir>/packages/common/src/testing/index.ts',
  '^@kinesis-kit/producer$': '<rootDir>/packages/producer/src/index.ts',
  '^@kinesis-kit/consumer$': '<rootDir>/packages/consumer/src/index.ts',
  '^@kinesis-kit/consumer/testing$': '<rootDir>/packages/consumer/src/testing/index.ts',
  '^@kinesis-kit/consumer/kcl$': '<rootDir>/packages/consumer/src/kcl/index.ts',
  '^@kinesis-kit/consumer/lambda$': '<rootDir>/packages/consumer/src/lambda/index.ts',
  '^@kinesis-kit/integration$': '<rootDir>/integration/src/index.ts',
  // Sources import siblings with the `.js` extension (needed by the ESM build); jest resolves the .ts.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
// Type-checking is done once by `tsc` (npm run typecheck); jest only transpiles, which is much faster.
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
};
const common = {
  rootDir: __dirname,
  moduleNameMapper,
  transform,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/scripts/jest/fastCheckSeed.js'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Per-project testTimeout is ignored by jest; integration tests need minutes (emulators, reshards).
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/packages/*/test/unit/**/*.test.ts',
        '<rootDir>/integration/test/unit/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/packages/*/test/integration/**/*.int.test.ts',
        '<rootDir>/integration/test/**/*.int.test.ts',
      ],
      globalSetup: '<rootDir>/integration/src/jest/globalSetup.ts',
      globalTeardown: '<rootDir>/integration/src/jest/globalTeardown.ts',
    },
  ],
};
