module.exports = {
  ...require('../../jest.preset'),
  displayName: 'knowledge',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
