// One linter config for server, nodes, tests and the Vue client (STYLE.md: run in CI with prettier).
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'client/dist/**',
      'bench-results/**',
      'test-output/**',
      'data/**',
      'models/**',
      '.tmp/**',
    ],
  },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // vitest reports a skipped test by its title alone, so every skip says why in the title
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'MemberExpression[object.name=/^(describe|it|test)$/][property.name=/^(skip|runIf|todo)$/]',
          message:
            'Use describe/it.skipIf(reason !== undefined)(withSkipReason(title, reason), …) (tests/support/skipReason.ts) so the report says why it is skipped.',
        },
        {
          selector:
            "CallExpression[callee.type='CallExpression'][callee.callee.property.name='skipIf'] > :first-child:not(CallExpression[callee.name='withSkipReason'])",
          message:
            'A skipIf title must be withSkipReason(title, reason) (tests/support/skipReason.ts) so the report says why it is skipped.',
        },
      ],
    },
  },
);
