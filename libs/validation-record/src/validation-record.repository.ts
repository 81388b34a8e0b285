import { createHash } from 'node:crypto';
import type { RedisConnection } from '@autocode/state';
import { checkValidationRecord, type ExpectedPatch, type RecordCheck } from './record-check';
import { signRecord, validationRecordSchema, type UnsignedValidationRecord, type ValidationRecord } from './validation-record';

export interface ValidationRecordOptions {
  /** How long a record stays deployable. */
  ttlMs?: number;
  /**
   * The mesh's shared secret, when it has one: records are signed with it
   * and the deployer accepts only records it signed. Without it Redis is
   * the trust anchor (trusted infrastructure: whoever can write there can
   * already rewrite tasks and deployments).
   */
  secret?: string;
}

const DEFAULT_TTL_MS = 30 * 86_400_000;

/** Validation records in Redis, one per (patch, repository, base commit); a later validation of the same triple replaces it. */
export class ValidationRecordRepository {
  private readonly ttlMs: number;
  private readonly secret: string | undefined;

  constructor(
    private readonly redis: RedisConnection,
    options: ValidationRecordOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.secret = options.secret || undefined;
  }

  get signed(): boolean {
    return this.secret !== undefined;
  }

  async save(record: UnsignedValidationRecord): Promise<ValidationRecord> {
    const stored = validationRecordSchema.parse(this.secret ? signRecord(record, this.secret) : record);
    await this.redis.client.set(this.key(stored), JSON.stringify(stored), 'PX', this.ttlMs);
    return stored;
  }

  /** The stored record for this patch, unparsed (`checkValidationRecord` judges it), or null. */
  async find(expected: ExpectedPatch): Promise<unknown> {
    const text = await this.redis.client.get(this.key(expected));
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return { unparsable: text.slice(0, 100) };
    }
  }

  /** Finds and judges the record in one step: what the deployer asks before it touches a branch. */
  async check(expected: ExpectedPatch): Promise<RecordCheck> {
    return checkValidationRecord(await this.find(expected), expected, this.secret);
  }

  private key(of: ExpectedPatch): string {
    const repository = createHash('sha256').update(of.repository).digest('hex').slice(0, 16);
    return this.redis.key('validation', 'record', of.patchSha256, repository, of.baseCommit);
  }
}

/**
 * The mesh secret from a service's parsed configuration, if its schema has
 * one (MESH_SECRET); absent or empty means unsigned records.
 */
export function meshSecretOf(config: object): string | undefined {
  const value = (config as { MESH_SECRET?: unknown }).MESH_SECRET;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
