module.exports = {
  ...require('../../jest.preset'),
  displayName: 'state',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
