import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisConnection } from '@autocode/state';
import { FINGERPRINT_TTL_SECONDS } from './knowledge-base.repository';
import { KnowledgeKeys } from './knowledge-keys';
import type { FingerprintRecord } from './knowledge.model';

/**
 * How long each status keeps a fingerprint from being planned again:
 * `planned` while its tasks are in flight, `validated` until the change has
 * had time to land, `rejected` "recently".
 */
export interface MemoryWindows {
  plannedMs: number;
  validatedMs: number;
  rejectedMs: number;
}

export const DEFAULT_MEMORY_WINDOWS: MemoryWindows = {
  plannedMs: 24 * 3600_000,
  validatedMs: 7 * 24 * 3600_000,
  rejectedMs: 3 * 24 * 3600_000,
};

/** `claimed`: planned now by this task. Otherwise why not. */
export type ClaimVerdict = 'claimed' | 'over-limit' | 'planned' | 'validated' | 'rejected';

// Atomic over the whole batch, so two planners never both claim one
// fingerprint. A fingerprint this same task planned before (an earlier
// attempt of it) is claimed again. KEYS come in pairs: the fingerprint's
// record and the input hash it was last planned with (a key of its own, so
// the outcome the knowledge base records over the record keeps it). A
// finding planned or rejected for other file contents than these is free
// again: what ended as no change, failed or was rejected may work now. A
// validated one stays validated: its change is on its way.
const CLAIM = `
local now = tonumber(ARGV[1])
local task = ARGV[2]
local windows = { planned = tonumber(ARGV[3]), validated = tonumber(ARGV[4]), rejected = tonumber(ARGV[5]) }
local ttl = ARGV[6]
local limit = tonumber(ARGV[7])
local count = #KEYS / 2
local claimed = 0
local out = {}
for i = 1, count do
  local key = KEYS[2 * i - 1]
  local inputKey = KEYS[2 * i]
  local kind = ARGV[7 + 2 * i - 1]
  local input = ARGV[7 + 2 * i]
  local verdict = 'free'
  local raw = redis.call('GET', key)
  if raw then
    local ok, rec = pcall(cjson.decode, raw)
    if ok and type(rec) == 'table' and not (rec.status == 'planned' and rec.taskId == task) then
      local window = windows[rec.status]
      if window and now - (tonumber(rec.at) or 0) < window then verdict = rec.status end
      if verdict ~= 'free' and verdict ~= 'validated' and input ~= '' then
        local previous = redis.call('GET', inputKey)
        if previous and previous ~= input then verdict = 'free' end
      end
    end
  end
  if verdict == 'free' then
    if claimed < limit then
      redis.call('SET', key, cjson.encode({ status = 'planned', at = now, kind = kind, taskId = task }), 'EX', ttl)
      if input ~= '' then redis.call('SET', inputKey, input, 'EX', ttl) end
      claimed = claimed + 1
      verdict = 'claimed'
    else
      verdict = 'over-limit'
    end
  end
  out[i] = verdict
end
return out
`;

type ScriptedRedis = Redis & { acClaimFingerprints(...args: string[]): Promise<ClaimVerdict[]> };

/**
 * Which opportunities were planned, validated or rejected, by fingerprint,
 * so the planner does not plan the same one twice. Outcomes arrive through
 * `KnowledgeBase.recordOutcome`; claims are made here.
 */
@Injectable()
export class OpportunityMemory {
  private readonly client: ScriptedRedis;
  private readonly keys: KnowledgeKeys;

  constructor(redis: RedisConnection) {
    this.keys = new KnowledgeKeys(redis);
    const client = redis.client as ScriptedRedis;
    if (!client.acClaimFingerprints) client.defineCommand('acClaimFingerprints', { lua: CLAIM });
    this.client = client;
  }

  /**
   * Claims, in order, up to `limit` of `entries` for planning task `taskId`.
   * One verdict per entry, in the same order. `inputHash` is the content of
   * the entry's files: an entry planned (and perhaps ended without a
   * change) or rejected for other contents is claimed again.
   */
  async claim(
    entries: ReadonlyArray<{ fingerprint: string; kind: string; inputHash?: string }>,
    options: { taskId: string; limit: number; windows?: MemoryWindows; now?: number },
  ): Promise<ClaimVerdict[]> {
    if (entries.length === 0) return [];
    const windows = options.windows ?? DEFAULT_MEMORY_WINDOWS;
    const keys = entries.flatMap((e) => [this.keys.fingerprint(e.fingerprint), this.keys.fingerprintInput(e.fingerprint)]);
    return this.client.acClaimFingerprints(
      String(keys.length),
      ...keys,
      String(options.now ?? Date.now()),
      options.taskId,
      String(windows.plannedMs),
      String(windows.validatedMs),
      String(windows.rejectedMs),
      String(FINGERPRINT_TTL_SECONDS),
      String(options.limit),
      ...entries.flatMap((e) => [e.kind, e.inputHash ?? '']),
    );
  }

  /** What is known of each fingerprint (null: nothing). */
  async lookup(fingerprints: readonly string[]): Promise<Array<FingerprintRecord | null>> {
    if (fingerprints.length === 0) return [];
    const raw = await this.client.mget(...fingerprints.map((f) => this.keys.fingerprint(f)));
    return raw.map((value) => (value ? (JSON.parse(value) as FingerprintRecord) : null));
  }
}
