// Integration and end-to-end specs start real processes and brokers.
// (testTimeout is a global option and is ignored inside a project config.)
jest.setTimeout(180_000);
