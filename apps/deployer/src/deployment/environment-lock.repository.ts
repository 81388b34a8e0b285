import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@autocode/state';
import { sleep } from './sleep';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class LockLostError extends Error {
  constructor(name: string) {
    super(`lost the lock on ${name} (its lease ran out): another deployment may have started`);
    this.name = 'LockLostError';
  }
}

/**
 * One deployment per environment at a time, across every deployer
 * instance: a Redis lease renewed while held, so a crashed deployer frees
 * the environment once the lease runs out.
 */
@Injectable()
export class EnvironmentLock {
  constructor(private readonly redis: RedisConnection) {}

  async holder(name: string): Promise<string | null> {
    return this.redis.client.get(this.redis.key('deploy', 'lock', name));
  }

  /**
   * Runs `work` holding the lock `name` as `owner`, waiting while someone
   * else holds it (`onWait` hears who). Owners are per task attempt, so a
   * retry waits until an earlier attempt that is still winding down lets go.
   * `work` gets a signal that fires if the lease is ever lost.
   */
  async withLock<T>(
    name: string,
    owner: string,
    ttlMs: number,
    work: (lost: AbortSignal) => Promise<T>,
    options: { signal: AbortSignal; pollMs?: number; onWait?: (holder: string) => Promise<void> | void },
  ): Promise<T> {
    const key = this.redis.key('deploy', 'lock', name);
    for (;;) {
      options.signal.throwIfAborted();
      const taken = await this.redis.client.set(key, owner, 'PX', ttlMs, 'NX');
      if (taken === 'OK') break;
      const holder = await this.redis.client.get(key);
      if (holder) await options.onWait?.(holder);
      await sleep(options.pollMs ?? 500, options.signal);
    }
    const lost = new AbortController();
    const renew = setInterval(() => {
      this.redis.client.eval(RENEW, 1, key, owner, String(ttlMs)).then(
        (ok) => ok === 0 && lost.abort(new LockLostError(name)),
        () => undefined, // Redis blips: the next renewal tries again well before the lease ends
      );
    }, Math.max(200, Math.floor(ttlMs / 3)));
    try {
      return await work(lost.signal);
    } finally {
      clearInterval(renew);
      await this.redis.client.eval(RELEASE, 1, key, owner).catch(() => undefined);
    }
  }
}
