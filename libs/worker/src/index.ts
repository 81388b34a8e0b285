export * from './task-handler';
export * from './worker.options';
export * from './worker-runtime';
export * from './worker.module';
export * from './zod-task-handler';
export * from './built-in-task-handler';
export * from './worker-env';
export * from './task-decorators';
