module.exports = {
  ...require('../../jest.preset'),
  displayName: 'source-facts',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
