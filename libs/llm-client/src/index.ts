export * from './llm-options';
export * from './retry-budget';
export * from './chat-completions.client';
export * from './unified-diff';
export * from './patch-request';
