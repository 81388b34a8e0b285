export * from './http-client';
export * from './webhook.client';
export * from './http.module';
