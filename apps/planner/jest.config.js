module.exports = {
  ...require('../../jest.preset'),
  displayName: 'planner',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
