export * from './egress-policy';
export * from './egress-fetch';
export * from './http-client';
export * from './webhook.client';
export * from './http.module';
