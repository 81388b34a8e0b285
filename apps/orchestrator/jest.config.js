module.exports = {
  ...require('../../jest.preset'),
  displayName: 'orchestrator',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
