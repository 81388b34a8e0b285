// The sample's own ESLint configuration (flat config, no plugins, so it
// loads without installing anything). Unused imports are left to
// Autocode's own analysis.
export default [
  {
    files: ['**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  { ignores: ['reports/**'] },
];
