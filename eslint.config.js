// ESLint pins the layers (flat config, run by `npm run lint`, `npm test` and CI; zero warnings):
// - src/core is pure: no webextension-polyfill, chrome.*, DOM, Node built-ins or UI libraries;
//   it must run the same in the worker, the panel, the CLI and vitest;
// - the shells import the core only through its flat public index, src/core/index.ts (#19): what a
//   shell may use is what the index exports, and the core's files can move without touching them;
// - the rest is typescript-eslint's recommended set (syntax only, no type information: fast).
// Import cycles are checked by test/import-graph.test.ts (a graph of every src/ import).
import tseslint from 'typescript-eslint';

/** The shells held to the core's public index. */
const SHELLS = ['background', 'devtools', 'popup', 'options', 'companion', 'lib', 'ui', 'rule-doc'];

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util', 'stream', 'events', 'worker_threads', 'process', 'buffer', 'zlib', 'tls', 'dns', 'module'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.bench/**', 'lab-output/**', 'test-results/**', '**/*.d.mts', 'examples/**'] },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended],
    rules: {
      // the code base uses `_` for unused destructured parts and catch bindings it ignores
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // tests may hand hostile values around untyped
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'webextension-polyfill', message: 'src/core is platform-free: the shells (src/background, src/devtools, …) talk to the browser.' },
            { name: 'preact', message: 'src/core has no UI.' },
            ...NODE_BUILTINS.map((name) => ({ name, message: 'src/core runs in the browser too: no Node built-ins.' })),
          ],
          patterns: [
            { group: ['node:*'], message: 'src/core runs in the browser too: no Node built-ins.' },
            { group: ['preact/*', '**/background/**', '**/devtools/**', '**/popup/**', '**/companion/**', '**/options/**', '**/ui/**', '**/lib/**'], message: 'src/core imports nothing from the shells.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['chrome', 'browser', 'document', 'window', 'localStorage', 'sessionStorage', 'navigator', 'XMLHttpRequest', 'fetch', 'process', 'require', 'Buffer', '__dirname'].map((name) => ({ name, message: `src/core is platform-free: no ${name}.` })),
      ],
    },
  },
  {
    files: SHELLS.map((d) => `src/${d}/**/*.{ts,tsx}`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+core/(?!index$)',
              message: "Shells import the core through its public index only ('../core', src/core/index.ts): export what you need there.",
            },
          ],
        },
      ],
    },
  },
);
