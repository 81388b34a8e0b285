module.exports = {
  ...require('../../jest.preset'),
  displayName: 'mesh-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
};
