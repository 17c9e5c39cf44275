// ESLint runs in `npm test` (npm run lint). typescript-eslint's recommended rules, plus the type-checked rules that
// catch what a long-running server cannot afford: promises nobody awaits or handles (an unhandled rejection kills
// the process), promises passed where a callback's return value is ignored, and `await` on non-promises.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'apps/web/dist/**', 'test-results/**', 'playwright-report/**', '.cache/**', 'models/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // A leading underscore marks a parameter a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A closure may read a variable that is assigned once, later (a test's handle on a socket it creates after).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // tfjs code states a tensor's rank as `tf.tidy(() => …) as tf.Tensor2D`; the rule wants `tf.tidy<tf.Tensor2D>(…)`
    // instead, which says the same thing. Truly redundant assertions were removed when the linter came in.
    files: ['packages/fl/**/*.ts', 'tools/model/**/*.ts'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  {
    // Code a tab runs reads tensors asynchronously. On WebGPU a synchronous read stalls the GPU pipeline, and on
    // SwiftShader's adapter it returned zeros and lost the device for every later read (docs/BENCHMARKS.md).
    files: ['packages/fl/src/**/*.ts', 'packages/client/src/**/*.ts', 'apps/web/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/fl/src/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(dataSync|arraySync|bufferSync)$/]',
          message: 'Read tensors with `await t.data()` / `await t.array()`: synchronous reads break training on WebGPU.',
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
