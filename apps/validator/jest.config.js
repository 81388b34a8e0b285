module.exports = {
  ...require('../../jest.preset'),
  displayName: 'validator',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
