import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { RedisConnection } from '@autocode/state';
import type { DeployerConfig } from '../config/deployer.config';
import { MAX_AUDIT_ENTRIES, type AuditEntry, type DeploymentRecord, type DeploymentStatus, type EnvironmentState } from './deployment.model';

/**
 * Compare-and-set on the record's version, keeping the pending-approval
 * index in step: a record is in it exactly while it awaits approval.
 */
const CAS_RECORD = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if cjson.decode(current).version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6]) else redis.call('ZREM', KEYS[2], ARGV[6]) end
return 1
`;

export class DeploymentNotFoundError extends Error {
  readonly httpStatus = 404;
  constructor(id: string) {
    super(`deployment ${id} not found`);
    this.name = 'DeploymentNotFoundError';
  }
}

/** Deployment records, environment states and the change index, in Redis. */
@Injectable()
export class DeploymentRepository {
  private readonly ttlMs: number;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(SERVICE_CONFIG) config: DeployerConfig,
  ) {
    this.ttlMs = config.DEPLOY_RECORD_TTL_DAYS * 86_400_000;
  }

  private recordKey(id: string): string {
    return this.redis.key('deploy', 'record', id);
  }

  private allKey(): string {
    return this.redis.key('deploy', 'all');
  }

  private pendingKey(): string {
    return this.redis.key('deploy', 'pending');
  }

  /** Stores a new record; when one with the id exists (a retried task), returns that one instead. */
  async createOrGet(record: DeploymentRecord): Promise<{ record: DeploymentRecord; created: boolean }> {
    const stored = await this.redis.client.set(this.recordKey(record.id), JSON.stringify(record), 'PX', this.ttlMs, 'NX');
    if (stored !== 'OK') return { record: await this.get(record.id), created: false };
    await this.redis.client
      .multi()
      .zadd(this.allKey(), Date.parse(record.createdAt), record.id)
      .zremrangebyscore(this.allKey(), '-inf', Date.now() - this.ttlMs)
      .exec();
    return { record, created: true };
  }

  async find(id: string): Promise<DeploymentRecord | undefined> {
    const raw = await this.redis.client.get(this.recordKey(id));
    return raw ? (JSON.parse(raw) as DeploymentRecord) : undefined;
  }

  async get(id: string): Promise<DeploymentRecord> {
    const record = await this.find(id);
    if (!record) throw new DeploymentNotFoundError(id);
    return record;
  }

  /**
   * Read, change, compare-and-set, until it sticks. `change` returns the
   * new record (or undefined to leave it); it may throw to refuse.
   */
  async update(
    id: string,
    change: (record: DeploymentRecord) => Partial<DeploymentRecord> | undefined,
    audit?: Omit<AuditEntry, 'at'>,
  ): Promise<DeploymentRecord> {
    for (;;) {
      const current = await this.get(id);
      const patch = change(current);
      if (!patch) return current;
      const now = new Date().toISOString();
      const next: DeploymentRecord = { ...current, ...patch, version: current.version + 1, updatedAt: now };
      if (audit) next.audit = [...current.audit, { at: now, ...audit }].slice(-MAX_AUDIT_ENTRIES);
      const pending = next.status === 'awaiting-approval';
      const result = await this.redis.client.eval(
        CAS_RECORD,
        2,
        this.recordKey(id),
        this.pendingKey(),
        String(current.version),
        JSON.stringify(next),
        String(this.ttlMs),
        pending ? '1' : '0',
        String(Date.parse(next.approval.requestedAt ?? next.createdAt)),
        id,
      );
      if (result === 1) return next;
      if (result === -1) throw new DeploymentNotFoundError(id);
    }
  }

  /** Moves to `status` (with extra fields) only from one of `from`; returns undefined when the record was elsewhere. */
  async transition(
    id: string,
    from: readonly DeploymentStatus[],
    status: DeploymentStatus,
    audit: Omit<AuditEntry, 'at'>,
    extra: Partial<DeploymentRecord> = {},
  ): Promise<DeploymentRecord | undefined> {
    let moved = false;
    const record = await this.update(
      id,
      (current) => {
        moved = from.includes(current.status);
        return moved ? { ...extra, status } : undefined;
      },
      audit,
    );
    return moved ? record : undefined;
  }

  async list(options: { limit: number; offset: number; status?: DeploymentStatus; environment?: string }): Promise<DeploymentRecord[]> {
    const filtered = Boolean(options.status || options.environment);
    const out: DeploymentRecord[] = [];
    let cursor = options.offset;
    // Filters are applied in memory over pages of the newest-first index.
    while (out.length < options.limit) {
      const ids = await this.redis.client.zrevrange(this.allKey(), cursor, cursor + (filtered ? 199 : options.limit - out.length - 1));
      if (ids.length === 0) break;
      cursor += ids.length;
      for (const record of await this.getMany(ids)) {
        if (out.length >= options.limit) break;
        if (options.status && record.status !== options.status) continue;
        if (options.environment && record.environment !== options.environment) continue;
        out.push(record);
      }
      if (!filtered || cursor - options.offset > 5000) break;
    }
    return out;
  }

  async pending(): Promise<DeploymentRecord[]> {
    return this.getMany(await this.redis.client.zrange(this.pendingKey(), 0, 499));
  }

  private async getMany(ids: string[]): Promise<DeploymentRecord[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.client.mget(ids.map((id) => this.recordKey(id)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as DeploymentRecord);
  }

  /** A task waiting on a deployment keeps this lease fresh, so listings can tell a live wait from an orphaned one. */
  async touchWaiter(id: string, workerId: string, ttlMs: number): Promise<void> {
    await this.redis.client.set(this.redis.key('deploy', 'waiter', id), workerId, 'PX', ttlMs);
  }

  async waiters(ids: string[]): Promise<Array<string | null>> {
    if (ids.length === 0) return [];
    return this.redis.client.mget(ids.map((id) => this.redis.key('deploy', 'waiter', id)));
  }

  async releaseWaiter(id: string): Promise<void> {
    await this.redis.client.del(this.redis.key('deploy', 'waiter', id));
  }

  private environmentKey(repositoryKey: string, environment: string): string {
    return this.redis.key('deploy', 'env', repositoryKey, environment);
  }

  async environmentState(repositoryKey: string, environment: string): Promise<EnvironmentState | undefined> {
    const raw = await this.redis.client.get(this.environmentKey(repositoryKey, environment));
    return raw ? (JSON.parse(raw) as EnvironmentState) : undefined;
  }

  async saveEnvironmentState(repositoryKey: string, state: EnvironmentState): Promise<void> {
    await this.redis.client
      .multi()
      .set(this.environmentKey(repositoryKey, state.environment), JSON.stringify(state))
      .sadd(this.redis.key('deploy', 'envs'), `${repositoryKey}:${state.environment}`)
      .exec();
  }

  async environmentStates(): Promise<EnvironmentState[]> {
    const members = await this.redis.client.smembers(this.redis.key('deploy', 'envs'));
    if (members.length === 0) return [];
    const raws = await this.redis.client.mget(members.map((m) => this.redis.key('deploy', 'env', ...splitMember(m))));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as EnvironmentState);
  }

  private changeKey(repositoryKey: string, changeId: string): string {
    return this.redis.key('deploy', 'change', repositoryKey, changeId);
  }

  /** Records that a change went live in an environment (for soak checks of later environments). */
  async markLive(repositoryKey: string, changeId: string, environment: string, deploymentId: string, at: string): Promise<void> {
    const key = this.changeKey(repositoryKey, changeId);
    await this.redis.client.multi().hset(key, environment, JSON.stringify({ deploymentId, at })).pexpire(key, this.ttlMs).exec();
  }

  async unmarkLive(repositoryKey: string, changeId: string, environment: string, deploymentId: string): Promise<void> {
    const key = this.changeKey(repositoryKey, changeId);
    const raw = await this.redis.client.hget(key, environment);
    if (raw && (JSON.parse(raw) as { deploymentId: string }).deploymentId === deploymentId) await this.redis.client.hdel(key, environment);
  }

  async liveSince(repositoryKey: string, changeId: string, environment: string): Promise<{ deploymentId: string; at: string } | undefined> {
    const raw = await this.redis.client.hget(this.changeKey(repositoryKey, changeId), environment);
    return raw ? (JSON.parse(raw) as { deploymentId: string; at: string }) : undefined;
  }
}

function splitMember(member: string): [string, string] {
  const at = member.indexOf(':');
  return [member.slice(0, at), member.slice(at + 1)];
}
