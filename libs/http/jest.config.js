module.exports = {
  ...require('../../jest.preset'),
  displayName: 'http',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
