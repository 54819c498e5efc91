// Lint runs inside `npm test`: type-aware rules catch floating promises,
// the bug class that loses scan results silently.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'stripscan-data/**', 'coverage/**', 'test-artifacts/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Policy parsing and verdicts are pure: the DNS and HTTPS fetching is src/domains/.
    files: ['src/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:net', 'node:tls', 'node:dgram', 'node:dns', 'node:http', 'node:https', 'node:fs'],
        },
      ],
    },
  },
  {
    // The SMTP logic is a pure state machine: no sockets, timers or TLS in here.
    files: ['src/probe/smtp/**/*.ts', 'src/targets/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['node:net', 'node:tls', 'node:dgram', 'node:fs', 'net', 'tls', 'fs'] },
      ],
    },
  },
);
