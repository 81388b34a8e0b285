module.exports = {
  ...require('../../jest.preset'),
  displayName: 'llm-client',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
