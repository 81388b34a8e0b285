module.exports = {
  ...require('../../jest.preset'),
  displayName: 'mesh-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
  setupFilesAfterEnv: [require.resolve('../../tools/jest/long-timeout.js')],
};
