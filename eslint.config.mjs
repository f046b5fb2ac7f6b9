import hmppsConfig from '@ministryofjustice/eslint-config-hmpps'

export default [
  ...hmppsConfig({
    extraIgnorePaths: ['data/', 'test-results/', 'bench/results/', 'coverage/'],
    extraPathsAllowingDevDependencies: ['bench/**', 'test/**'],
  }),
  {
    rules: {
      // Node runs TypeScript by type stripping, which needs explicit `.ts` suffixes on relative imports.
      'import/extensions': ['error', 'ignorePackages', { ts: 'always', js: 'always' }],
      // Domain operations are exported one per file but named: default exports hide names.
      'import/prefer-default-export': 'off',
      'no-restricted-syntax': ['error', 'ForInStatement', 'LabeledStatement', 'WithStatement'],
      'no-await-in-loop': 'off',
      'no-continue': 'off',
    },
  },
  {
    // Browser modules served to pages: modern syntax, browser globals.
    files: ['src/platform/http/public/**/*.mjs'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
]
