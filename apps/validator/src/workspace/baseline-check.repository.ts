import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import { RedisConnection } from '@autocode/state';
import type { CheckResult } from '@autocode/workspace-runtime';

/** A baseline is a fact about a commit; two weeks covers every retry and re-validation of one cycle. */
const BASELINE_TTL_SECONDS = 14 * 24 * 3600;

const storedCheckSchema = z.object({
  check: z.string(),
  status: z.enum(['passed', 'failed', 'cannot-run']),
  reason: z.string().optional(),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  excerpt: z.string(),
});

/** What identifies a baseline run: the same check on the same tree gives the same answer. */
export interface BaselineKey {
  /** `repositoryIdentity(...)` of the repository. */
  repository: string;
  commit: string;
  check: string;
  /** The prepared tree's key (lockfile, manager and version, Node.js major, platform). */
  runtimeKey: string;
}

/**
 * The result of each repository check on a base commit, so a commit's
 * checks run once however many patches are validated against it. Only
 * results that say something about the code (passed, failed) are kept: a
 * check that could not run (a time limit on a busy machine) is tried again.
 */
@Injectable()
export class BaselineCheckRepository {
  private readonly logger = new Logger(BaselineCheckRepository.name);

  constructor(private readonly redis: RedisConnection) {}

  async get(key: BaselineKey): Promise<CheckResult | undefined> {
    const raw = await this.redis.client.get(this.redisKey(key));
    if (raw === null) return undefined;
    try {
      return storedCheckSchema.parse(JSON.parse(raw));
    } catch (error) {
      // An unreadable entry is only a lost cache hit: the check runs again and overwrites it.
      this.logger.warn({ msg: 'unreadable baseline entry ignored', check: key.check, reason: (error as Error).message });
      return undefined;
    }
  }

  async save(key: BaselineKey, result: CheckResult): Promise<void> {
    if (result.status === 'cannot-run') return;
    await this.redis.client.set(this.redisKey(key), JSON.stringify(result), 'EX', BASELINE_TTL_SECONDS);
  }

  private redisKey(key: BaselineKey): string {
    const digest = createHash('sha256').update([key.repository, key.commit, key.check, key.runtimeKey].join('\n')).digest('hex');
    return this.redis.key('validator', 'baseline-check', digest);
  }
}
