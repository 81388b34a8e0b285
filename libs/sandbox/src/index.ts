export * from './sandbox';
export * from './sandbox-env';
export * from './exit-reason';
export * from './bubblewrap';
export * from './resolve-inside';
export * from './ephemeral-workspace';
export * from './sandbox.health';
