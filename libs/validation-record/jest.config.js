module.exports = {
  ...require('../../jest.preset'),
  displayName: 'validation-record',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
