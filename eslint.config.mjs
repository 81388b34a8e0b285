import nx from '@nx/eslint-plugin';

// Services never import each other, and libs never import services: what
// two services share lives in a lib. Test helpers stay out of shipped code.
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:lib'] },
  // The contracts stand alone: every service reads them, they read nobody.
  { sourceTag: 'layer:contracts', onlyDependOnLibsWithTags: [] },
];
const boundaries = (constraints) => [
  'error',
  { allow: [], enforceBuildableLibDependency: false, depConstraints: constraints },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '.autocode/**', 'samples/**', 'tmp/**', '.nx/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      // (Nx tags cannot tell test imports from shipped ones, so this is a plain import rule.)
      'no-restricted-imports': ['error', { paths: [{ name: '@autocode/testing', message: 'test helpers are for specs only' }] }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Allowed where a preceding check guarantees the value; the compiler cannot always follow it.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Specs, the e2e project and benchmarks may use the test helpers.
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'apps/mesh-e2e/**/*.ts', 'bench/**/*.ts', 'libs/testing/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
];
