import type { RedisConnection } from '@autocode/state';

/** Every Redis key of the knowledge base, under the service's prefix. */
export class KnowledgeKeys {
  constructor(private readonly redis: RedisConnection) {}

  record(kind: string, generator: string): string {
    return this.redis.key('knowledge', 'record', kind, generator);
  }

  recent(kind: string, generator: string): string {
    return this.redis.key('knowledge', 'recent', kind, generator);
  }

  /** A set of `kind generator` pairs that have records. */
  pairs(): string {
    return this.redis.key('knowledge', 'pairs');
  }

  outcomeId(id: string): string {
    return this.redis.key('knowledge', 'outcome-id', id);
  }

  fingerprint(fingerprint: string): string {
    return this.redis.key('knowledge', 'fingerprint', fingerprint);
  }

  /** The hash of the files' contents a fingerprint was last planned for (see `OpportunityMemory.claim`). */
  fingerprintInput(fingerprint: string): string {
    return this.redis.key('knowledge', 'fingerprint-input', fingerprint);
  }
}
