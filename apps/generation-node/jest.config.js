module.exports = {
  ...require('../../jest.preset'),
  displayName: 'generation-node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
