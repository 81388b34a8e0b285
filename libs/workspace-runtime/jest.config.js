module.exports = {
  ...require('../../jest.preset'),
  displayName: 'workspace-runtime',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
