export * from './circuit-breaker';
export * from './breaker-registry';
export * from './resilience.module';
