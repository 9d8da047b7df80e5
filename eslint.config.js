// One linter config for server, nodes, tests and the Vue client (STYLE.md: run in CI with prettier).
// It also enforces the layering of docs/architecture.md: one import zone per folder, and no import cycles.
import path from 'node:path';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const root = import.meta.dirname;

/**
 * What each layer may import from the project (folders relative to the repo root); everything else of the
 * project is off limits. Read it bottom-up: protocol/ and server/diffusion/ import nothing of ours.
 * server/world/ (the shapes world) may import only image/; training/ (textualInversion/, weights/) sits beside scoring/.
 */
const LAYERS = {
  protocol: [],
  'server/diffusion': [],
  'server/world': ['server/image'],
  'server/storage': ['protocol'],
  'server/onnx': ['server/storage'],
  'server/image': ['protocol', 'server/storage', 'server/onnx'],
  'server/sd': ['protocol', 'server/storage', 'server/onnx', 'server/image', 'server/diffusion'],
  'server/scoring': [
    'protocol',
    'server/storage',
    'server/onnx',
    'server/image',
    'server/diffusion',
    'server/sd',
    'server/world',
  ],
  'server/training': [
    'protocol',
    'server/storage',
    'server/onnx',
    'server/image',
    'server/diffusion',
    'server/sd',
    'server/world',
  ],
  'server/engine': ['protocol', 'server/storage'],
  'server/http': ['protocol', 'server/storage', 'server/image', 'server/engine'],
  nodes: [
    'protocol',
    'server/storage',
    'server/onnx',
    'server/image',
    'server/diffusion',
    'server/sd',
    'server/world',
    'server/scoring',
    'server/training',
    'server/engine',
  ],
  'server/worker': ['protocol', 'server/storage', 'server/engine'],
  'client/src': ['protocol'],
};

/** Project folders a zone can forbid; server/cli and the server root files assemble everything. */
const PROJECT = [...Object.keys(LAYERS), 'server/cli', 'tests'];

const layerZones = Object.entries(LAYERS).map(([layer, allowed]) => ({
  target: path.join(root, layer),
  from: PROJECT.filter((other) => other !== layer && !allowed.includes(other)).map((other) =>
    path.join(root, other),
  ),
  message: `${layer}/ may import only ${allowed.length ? allowed.map((a) => `${a}/`).join(', ') : 'packages, nothing of the project'} (docs/architecture.md).`,
}));

/** Deep modules never import the server's root files (studio.ts, config.ts, startupTasks.ts …): those assemble them. */
const rootFileZones = Object.keys(LAYERS).map((layer) => ({
  target: path.join(root, layer),
  from: [path.join(root, 'server/*.ts')],
  message: 'only the server root and server/cli/ assemble the server; pass what you need in instead.',
}));

/** Within onnx/: shape inference is below autodiff. */
const onnxZones = [
  {
    target: path.join(root, 'server/onnx/shapes'),
    from: [path.join(root, 'server/onnx/autodiff')],
    message: 'onnx/shapes/ is used by autodiff/, not the other way round.',
  },
];

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
  {
    files: ['**/*.ts', '**/*.vue'],
    plugins: { 'import-x': importX },
    settings: {
      // cycles are followed through .ts modules (Vue components are leaves of the client's graph)
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.vue', '.js', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...rootFileZones, ...onnxZones] }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
