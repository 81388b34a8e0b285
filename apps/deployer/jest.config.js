module.exports = {
  ...require('../../jest.preset'),
  displayName: 'deployer',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
