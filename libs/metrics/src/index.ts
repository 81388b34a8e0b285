export * from './influx.client';
export * from './metrics-writer';
export * from './metrics.module';
