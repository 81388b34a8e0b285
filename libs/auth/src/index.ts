export * from './roles';
export * from './auth-metadata';
export * from './api-key-ring';
export * from './auth-env';
export * from './api-key.guard';
export * from './authorize.decorator';
export * from './auth.module';
