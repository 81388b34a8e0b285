export * from './patch-hash';
export * from './validation-record';
export * from './record-check';
export * from './validation-record.repository';
export * from './protected-paths';
