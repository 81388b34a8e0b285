export * from './wait-until';
export * from './test-namespace';
export * from './free-port';
export * from './topic-observer';
export * from './kafka-admin';
export * from './service-process';
export * from './mesh';
export * from './throwaway-infra';
