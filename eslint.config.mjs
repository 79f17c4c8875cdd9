// Lint rules for the whole workspace. The `core/` boundary rules enforce the house style: pure
// code may not reach for I/O, timers, clocks or randomness; those are passed in.
import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

const coreRestrictedImports = {
  patterns: [
    {
      group: ['@aws-sdk/*', '@smithy/node-http-handler'],
      message: 'core/ is pure: no AWS SDK clients.',
    },
    {
      group: [
        'node:timers',
        'timers',
        'node:timers/*',
        'node:fs',
        'fs',
        'node:net',
        'node:http',
        'node:child_process',
      ],
      message: 'core/ is pure: no I/O or timers.',
    },
    {
      group: ['**/adapters/**', '**/runtime/**'],
      message: 'core/ may not depend on adapters or runtime.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      'eslint.config.mjs',
      'jest.config.js',
      'scripts/**',
      '**/*.cjs',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    files: ['**/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', coreRestrictedImports],
      'no-restricted-globals': [
        'error',
        'setTimeout',
        'setInterval',
        'setImmediate',
        'fetch',
        'performance',
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core/ is pure: pass `now` in.' },
        { object: 'Math', property: 'random', message: 'core/ is pure: pass `random` in.' },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/bench/**/*.ts', 'integration/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/expect-expect': [
        'error',
        { assertFunctionNames: ['expect', 'assert*', 'fc.assert', 'expect*'] },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
