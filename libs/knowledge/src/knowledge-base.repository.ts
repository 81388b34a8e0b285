import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisConnection } from '@autocode/state';
import { KnowledgeKeys } from './knowledge-keys';
import {
  type FingerprintRecord,
  type GeneratorRecord,
  type KnowledgeStats,
  type Outcome,
  type OutcomeInput,
  outcomeInputSchema,
} from './knowledge.model';
import { smoothedSuccessRate } from './generator-policy';

/** Outcomes kept per (kind, generator) for their reasons. */
export const RECENT_OUTCOMES_KEPT = 20;
/** How long an outcome id is remembered for idempotency, and a fingerprint's status at most. */
const OUTCOME_ID_TTL_SECONDS = 30 * 24 * 3600;
export const FINGERPRINT_TTL_SECONDS = 30 * 24 * 3600;
const REASON_KEPT_CHARS = 500;

// One script, so a record, its recent list and the fingerprint's status
// change together, and an outcome id seen before changes nothing.
const RECORD_OUTCOME = `
if ARGV[8] == '1' then
  if not redis.call('SET', KEYS[5], '1', 'NX', 'EX', ARGV[9]) then return 0 end
end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HSET', KEYS[1], 'lastOutcomeAt', ARGV[3])
if ARGV[1] == 'rejected' then
  redis.call('HINCRBY', KEYS[1], 'consecutiveRejections', 1)
  redis.call('HSET', KEYS[1], 'lastRejectedAt', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'consecutiveRejections', 0, 'lastValidatedAt', ARGV[3])
end
redis.call('LPUSH', KEYS[2], ARGV[12])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[11]) - 1)
redis.call('SADD', KEYS[3], ARGV[14])
redis.call('SET', KEYS[4], ARGV[13], 'EX', ARGV[10])
return 1
`;

type ScriptedRedis = Redis & { acRecordOutcome(...args: string[]): Promise<number> };

/**
 * The knowledge base: what became of the changes each generator produced,
 * per opportunity kind. The orchestrator records an outcome when a
 * validation finishes; the planner reads the records to pick generators
 * and to stop kinds that keep failing (see `chooseGenerator`).
 */
@Injectable()
export class KnowledgeBase {
  private readonly client: ScriptedRedis;
  private readonly keys: KnowledgeKeys;

  constructor(redis: RedisConnection) {
    this.keys = new KnowledgeKeys(redis);
    const client = redis.client as ScriptedRedis;
    // defineCommand sends the script once (EVALSHA, falling back to EVAL).
    if (!client.acRecordOutcome) client.defineCommand('acRecordOutcome', { numberOfKeys: 5, lua: RECORD_OUTCOME });
    this.client = client;
  }

  /**
   * Records that a change for `fingerprint`, made by `generator`, was
   * validated or rejected. Returns false when `id` was recorded before.
   * Throws a ZodError naming the field for bad input.
   */
  async recordOutcome(input: OutcomeInput): Promise<boolean> {
    const outcome = outcomeInputSchema.parse(input);
    const at = outcome.at ?? new Date();
    const reason = outcome.reason.slice(0, REASON_KEPT_CHARS);
    const fingerprintRecord: FingerprintRecord = {
      status: outcome.outcome,
      at: at.getTime(),
      kind: outcome.kind,
      generator: outcome.generator,
      ...(reason ? { reason } : {}),
    };
    const recent = { outcome: outcome.outcome, reason, fingerprint: outcome.fingerprint, at: at.toISOString() };
    const result = await this.client.acRecordOutcome(
      this.keys.record(outcome.kind, outcome.generator),
      this.keys.recent(outcome.kind, outcome.generator),
      this.keys.pairs(),
      this.keys.fingerprint(outcome.fingerprint),
      this.keys.outcomeId(outcome.id ?? '-'),
      outcome.outcome,
      String(at.getTime()),
      at.toISOString(),
      reason,
      outcome.fingerprint,
      outcome.kind,
      outcome.generator,
      outcome.id ? '1' : '0',
      String(OUTCOME_ID_TTL_SECONDS),
      String(FINGERPRINT_TTL_SECONDS),
      String(RECENT_OUTCOMES_KEPT),
      JSON.stringify(recent),
      JSON.stringify(fingerprintRecord),
      pairMember(outcome.kind, outcome.generator),
    );
    return result === 1;
  }

  /** The records of every (kind, generator) pair, optionally of some kinds only. */
  async records(kinds?: readonly string[]): Promise<GeneratorRecord[]> {
    const wanted = kinds ? new Set(kinds) : undefined;
    const pairs = (await this.client.smembers(this.keys.pairs()))
      .map(parsePairMember)
      .filter((pair) => !wanted || wanted.has(pair.kind))
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.generator.localeCompare(b.generator));
    if (pairs.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const { kind, generator } of pairs) {
      pipeline.hgetall(this.keys.record(kind, generator));
      pipeline.lrange(this.keys.recent(kind, generator), 0, -1);
    }
    const replies = (await pipeline.exec()) ?? [];
    return pairs.map(({ kind, generator }, i) => {
      const [hashError, hash] = replies[2 * i];
      const [listError, list] = replies[2 * i + 1];
      if (hashError) throw hashError;
      if (listError) throw listError;
      return toRecord(kind, generator, hash as Record<string, string>, list as string[]);
    });
  }

  /** Every record with its smoothed success rate, and totals. */
  async stats(): Promise<KnowledgeStats> {
    const records = (await this.records()).map((r) => ({ ...r, successRate: smoothedSuccessRate(r) }));
    return {
      records,
      totals: {
        validated: records.reduce((sum, r) => sum + r.validated, 0),
        rejected: records.reduce((sum, r) => sum + r.rejected, 0),
      },
    };
  }
}

function pairMember(kind: string, generator: string): string {
  return `${kind} ${generator}`;
}

function parsePairMember(member: string): { kind: string; generator: string } {
  const [kind, generator] = member.split(' ');
  return { kind, generator };
}

function toRecord(kind: string, generator: string, hash: Record<string, string>, list: string[]): GeneratorRecord {
  return {
    kind,
    generator,
    validated: Number(hash.validated ?? 0),
    rejected: Number(hash.rejected ?? 0),
    consecutiveRejections: Number(hash.consecutiveRejections ?? 0),
    lastOutcomeAt: hash.lastOutcomeAt ?? null,
    lastRejectedAt: hash.lastRejectedAt ?? null,
    lastValidatedAt: hash.lastValidatedAt ?? null,
    recent: list.map((entry) => JSON.parse(entry) as { outcome: Outcome; reason: string; fingerprint: string; at: string }),
  };
}
