export * from './redis-connection';
export * from './state.module';
