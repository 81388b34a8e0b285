export * from './git-client';
