export * from './attached-documentation';
export * from './exported-declarations';
