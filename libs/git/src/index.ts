export * from './git-client';
export * from './repository-policy';
