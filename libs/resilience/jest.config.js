module.exports = {
  ...require('../../jest.preset'),
  displayName: 'resilience',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
