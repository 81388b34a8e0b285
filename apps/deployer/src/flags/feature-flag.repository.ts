import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@autocode/state';
import type { NotificationTarget } from '../notifications/deployment-notifier.service';

export interface FeatureFlag {
  name: string;
  enabled: boolean;
  environment: string;
  deploymentId: string;
  description: string;
  /** A rolled-back deployment retires its flag: off, and no longer toggleable. */
  retired: boolean;
  notify?: NotificationTarget[];
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
  history: Array<{ at: string; actor: string; enabled: boolean; comment?: string }>;
}

const CAS = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if cjson.decode(current).version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

export class FlagNotFoundError extends Error {
  readonly httpStatus = 404;
  constructor(name: string) {
    super(`feature flag ${name} not found`);
    this.name = 'FlagNotFoundError';
  }
}

export class FlagRetiredError extends Error {
  readonly httpStatus = 409;
  constructor(name: string) {
    super(`feature flag ${name} is retired (its deployment was rolled back)`);
    this.name = 'FlagRetiredError';
  }
}

/** Feature flags in Redis: the state deployed services read and operators toggle. */
@Injectable()
export class FeatureFlagRepository {
  constructor(private readonly redis: RedisConnection) {}

  private key(name: string): string {
    return this.redis.key('flag', name);
  }

  /** Creates the flag, or returns it as it is when it exists (a retried deployment). */
  async createOrGet(flag: Omit<FeatureFlag, 'version' | 'history' | 'retired'>): Promise<FeatureFlag> {
    const full: FeatureFlag = { ...flag, retired: false, version: 1, history: [{ at: flag.createdAt, actor: flag.updatedBy, enabled: flag.enabled, comment: 'created' }] };
    const stored = await this.redis.client.set(this.key(flag.name), JSON.stringify(full), 'NX');
    if (stored === 'OK') {
      await this.redis.client.zadd(this.redis.key('flags'), Date.parse(flag.createdAt), flag.name);
      return full;
    }
    return this.get(flag.name);
  }

  async find(name: string): Promise<FeatureFlag | undefined> {
    const raw = await this.redis.client.get(this.key(name));
    return raw ? (JSON.parse(raw) as FeatureFlag) : undefined;
  }

  async get(name: string): Promise<FeatureFlag> {
    const flag = await this.find(name);
    if (!flag) throw new FlagNotFoundError(name);
    return flag;
  }

  async list(limit = 500): Promise<FeatureFlag[]> {
    const names = await this.redis.client.zrevrange(this.redis.key('flags'), 0, limit - 1);
    if (names.length === 0) return [];
    const raws = await this.redis.client.mget(names.map((n) => this.key(n)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as FeatureFlag);
  }

  async set(name: string, enabled: boolean, actor: string, comment?: string): Promise<FeatureFlag> {
    return this.update(name, (flag) => {
      if (flag.retired) throw new FlagRetiredError(name);
      return { enabled };
    }, actor, comment);
  }

  /** A flag with a fixed name, reused by a later deployment: it now guards that one, back at the configured state. */
  async reassign(name: string, deploymentId: string, enabled: boolean, description: string, actor: string): Promise<FeatureFlag> {
    return this.update(name, () => ({ deploymentId, enabled, description, retired: false }), actor, `now guards deployment ${deploymentId}`);
  }

  async retire(name: string, actor: string, comment: string): Promise<FeatureFlag> {
    return this.update(name, () => ({ enabled: false, retired: true }), actor, comment);
  }

  private async update(name: string, change: (flag: FeatureFlag) => Partial<FeatureFlag>, actor: string, comment?: string): Promise<FeatureFlag> {
    for (;;) {
      const current = await this.get(name);
      const now = new Date().toISOString();
      const patch = change(current);
      const next: FeatureFlag = {
        ...current,
        ...patch,
        version: current.version + 1,
        updatedAt: now,
        updatedBy: actor,
        history: [...current.history, { at: now, actor, enabled: patch.enabled ?? current.enabled, ...(comment ? { comment } : {}) }].slice(-100),
      };
      const result = await this.redis.client.eval(CAS, 1, this.key(name), String(current.version), JSON.stringify(next));
      if (result === 1) return next;
      if (result === -1) throw new FlagNotFoundError(name);
    }
  }
}
