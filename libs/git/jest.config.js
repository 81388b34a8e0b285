module.exports = {
  ...require('../../jest.preset'),
  displayName: 'git',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
