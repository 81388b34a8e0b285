import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { RedisConnection } from '@autocode/state';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import type { AuditEntry, AuditQuery } from './audit.model';

/** A filtered query reads the log in pages and filters in memory, up to this many entries per request. */
const MAX_SCAN = 5000;
const PAGE = 500;

/**
 * The audit log: one sorted set scored by time, each member the entry's
 * JSON. Every write drops what is older than the retention, so the log
 * stays bounded without a sweeper, and the key expires when nothing is
 * written for a whole retention period.
 */
@Injectable()
export class AuditRepository {
  private readonly retentionMs: number;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(SERVICE_CONFIG) config: OrchestratorConfig,
  ) {
    this.retentionMs = config.AUDIT_RETENTION_DAYS * 24 * 3600 * 1000;
  }

  async record(entry: AuditEntry): Promise<void> {
    const at = Date.parse(entry.at);
    await this.redis.client
      .multi()
      .zadd(this.key(), at, JSON.stringify(entry))
      .zremrangebyscore(this.key(), '-inf', `(${Date.now() - this.retentionMs}`)
      .pexpire(this.key(), this.retentionMs)
      .exec();
  }

  /** Newest first. `offset` and `nextOffset` count entries of the time window scanned, matching or not. */
  async query(query: AuditQuery): Promise<{ items: AuditEntry[]; nextOffset: number | null }> {
    const max = query.until ? String(Date.parse(query.until)) : '+inf';
    const min = query.since ? String(Math.max(Date.parse(query.since), Date.now() - this.retentionMs)) : String(Date.now() - this.retentionMs);
    const matches = (e: AuditEntry) =>
      (!query.actor || e.actor === query.actor) &&
      (!query.route || e.route.startsWith(query.route) || e.path.startsWith(query.route)) &&
      (!query.method || e.method === query.method) &&
      (!query.outcome || e.outcome === query.outcome);
    const items: AuditEntry[] = [];
    let cursor = query.offset;
    let exhausted = false;
    while (items.length < query.limit && cursor - query.offset < MAX_SCAN) {
      const page = await this.redis.client.zrevrangebyscore(this.key(), max, min, 'LIMIT', cursor, PAGE);
      if (page.length < PAGE) exhausted = true;
      let used = 0;
      for (const member of page) {
        if (items.length >= query.limit) break;
        used += 1;
        const entry = JSON.parse(member) as AuditEntry;
        if (matches(entry)) items.push(entry);
      }
      cursor += used;
      if (exhausted && used === page.length) return { items, nextOffset: null };
    }
    return { items, nextOffset: cursor };
  }

  private key(): string {
    return this.redis.key('audit', 'log');
  }
}
