export * from './knowledge.model';
export * from './knowledge-base.repository';
export * from './opportunity-memory.repository';
export * from './generator-policy';
export * from './knowledge.module';
