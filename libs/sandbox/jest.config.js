module.exports = {
  ...require('../../jest.preset'),
  displayName: 'sandbox',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
