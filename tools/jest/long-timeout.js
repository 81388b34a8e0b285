// Integration and end-to-end specs start real processes and talk to real
// brokers; a timeout is a last resort, not a speed assertion.
// (testTimeout is a global option and is ignored inside a project config.)
jest.setTimeout(180_000);
