module.exports = {
  ...require('../../jest.preset'),
  displayName: 'metrics',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
