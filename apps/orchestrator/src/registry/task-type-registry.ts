import { createHash } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { z } from 'zod';
import { BUILT_IN_TASK_TYPES, type JsonObject, type TaskTypeDescriptor, type WorkerPool } from '@autocode/contracts';
import { RedisConnection } from '@autocode/state';
import type { ValidateFunction } from 'ajv/dist/2020';
import { TaskKeys } from '../tasks/task-keys';
import { paramsSchemaAjv } from './linear-regexp';

/** Compiled params schemas kept, by content; more than this and the cache starts over. */
const MAX_COMPILED_SCHEMAS = 1000;

/**
 * Stores descriptors unless their type belongs to another pool: a type keeps
 * the pool it was first registered with (the built-ins: the contracts'),
 * checked here so two announcements racing cannot both win.
 * KEYS[1] the registry hash; ARGV pool, then name/json pairs. Returns the names refused.
 */
const ANNOUNCE = `
local refused = {}
for i = 2, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if current and cjson.decode(current).pool ~= ARGV[1] then
    refused[#refused + 1] = ARGV[i]
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return refused
`;

export interface RegisteredTaskType extends TaskTypeDescriptor {
  /** Workers that announced this type most recently, and when. */
  lastAnnouncedBy: string;
  lastAnnouncedAt: string;
}

export class UnknownTaskTypeError extends Error {
  readonly httpStatus = 400;
  constructor(
    readonly type: string,
    known: string[],
  ) {
    super(`unknown task type "${type}" (known: ${known.join(', ') || 'none yet — no worker has announced any'})`);
    this.name = 'UnknownTaskTypeError';
  }
}

/**
 * Task types as workers announce them in their heartbeats, kept in Redis so
 * that a type stays known while its workers restart. A worker that brings a
 * new type makes it runnable without touching the orchestrator.
 */
@Injectable()
export class TaskTypeRegistry implements OnApplicationBootstrap {
  // Announced patterns run on every submission: only with a linear-time engine (see linear-regexp.ts).
  private readonly ajv = paramsSchemaAjv();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly announced = new Map<string, string>();
  /** The pool each type belongs to, once known: it never changes. */
  private readonly ownerPools = new Map<string, WorkerPool>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: TaskKeys,
  ) {}

  /**
   * The built-in types are known from the contracts before any worker
   * announces them, so a trigger accepted while the planner is still
   * starting is queued rather than refused.
   */
  async onApplicationBootstrap(): Promise<void> {
    const now = new Date().toISOString();
    for (const [name, type] of Object.entries(BUILT_IN_TASK_TYPES)) {
      const descriptor: RegisteredTaskType = {
        name,
        displayName: type.displayName,
        description: type.description,
        category: type.category,
        pool: type.pool,
        paramsSchema: z.toJSONSchema(type.params, { io: 'input', unrepresentable: 'any' }) as JsonObject,
        outputSchema: z.toJSONSchema(type.output, { unrepresentable: 'any' }) as JsonObject,
        defaults: type.defaults,
        lastAnnouncedBy: 'contracts',
        lastAnnouncedAt: now,
      };
      await this.redis.client.hsetnx(this.keys.taskTypes(), name, JSON.stringify(descriptor));
    }
  }

  /**
   * Why a worker of `pool` may not announce these descriptors (empty: it
   * may): a type of another pool (a built-in, or a type another pool
   * registered first), or a params schema that does not compile, which
   * includes a pattern the linear-time engine cannot run.
   */
  async refusals(descriptors: TaskTypeDescriptor[], pool: WorkerPool): Promise<string[]> {
    const reasons: string[] = [];
    for (const descriptor of descriptors) {
      const name = descriptor.name;
      if (descriptor.pool !== pool) {
        reasons.push(`task type "${name}" is announced for pool ${descriptor.pool} by a worker of pool ${pool}`);
        continue;
      }
      const owner = await this.ownerPool(name);
      if (owner && owner !== pool) {
        reasons.push(`task type "${name}" belongs to pool ${owner}${name in BUILT_IN_TASK_TYPES ? ' (built in)' : ''}; a worker of pool ${pool} may not register it`);
        continue;
      }
      try {
        this.compiled(descriptor.paramsSchema);
      } catch (error) {
        reasons.push(`task type "${name}": params schema refused: ${(error as Error).message.slice(0, 500)}`);
      }
    }
    return reasons;
  }

  /**
   * Stores descriptors whose content changed since this instance last saw
   * them (callers check `refusals` first; a type of another pool is still
   * never overwritten). Returns the names refused for belonging to another pool.
   */
  async announce(descriptors: TaskTypeDescriptor[], workerId: string, pool: WorkerPool): Promise<string[]> {
    const now = new Date().toISOString();
    const changed: string[] = [];
    for (const descriptor of descriptors) {
      const digest = digestOf(descriptor);
      const key = `${descriptor.name}:${workerId}`;
      if (this.announced.get(key) === digest) continue;
      const registered: RegisteredTaskType = { ...descriptor, lastAnnouncedBy: workerId, lastAnnouncedAt: now };
      changed.push(descriptor.name, JSON.stringify(registered));
    }
    if (!changed.length) return [];
    const refused = (await this.redis.client.eval(ANNOUNCE, 1, this.keys.taskTypes(), pool, ...changed)) as string[];
    for (const descriptor of descriptors) {
      if (!refused.includes(descriptor.name)) this.announced.set(`${descriptor.name}:${workerId}`, digestOf(descriptor));
    }
    return refused;
  }

  private async ownerPool(name: string): Promise<WorkerPool | null> {
    const builtIn = (BUILT_IN_TASK_TYPES as Record<string, { pool: WorkerPool }>)[name];
    if (builtIn) return builtIn.pool;
    const known = this.ownerPools.get(name);
    if (known) return known;
    const raw = await this.redis.client.hget(this.keys.taskTypes(), name);
    if (!raw) return null;
    const pool = (JSON.parse(raw) as RegisteredTaskType).pool;
    this.ownerPools.set(name, pool);
    return pool;
  }

  private compiled(schema: JsonObject): ValidateFunction {
    const digest = digestOf(schema);
    let validate = this.validators.get(digest);
    if (!validate) {
      if (this.validators.size >= MAX_COMPILED_SCHEMAS) this.validators.clear();
      validate = this.ajv.compile(schema);
      this.validators.set(digest, validate);
    }
    return validate;
  }

  async list(): Promise<RegisteredTaskType[]> {
    const raw = await this.redis.client.hgetall(this.keys.taskTypes());
    return Object.values(raw)
      .map((json) => JSON.parse(json) as RegisteredTaskType)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<RegisteredTaskType> {
    const raw = await this.redis.client.hget(this.keys.taskTypes(), name);
    if (!raw) throw new UnknownTaskTypeError(name, (await this.list()).map((t) => t.name));
    return JSON.parse(raw) as RegisteredTaskType;
  }

  /**
   * Problems with `params` against the type's JSON Schema, as `params.<path>:
   * message`; empty when valid. Errors at (or for missing properties named
   * by) the `ignore` JSON pointers are left out.
   */
  validateParams(type: TaskTypeDescriptor, params: unknown, ignore: string[] = []): string[] {
    const validate = this.compiled(type.paramsSchema);
    if (validate(params)) return [];
    const ignored = (pointer: string) => ignore.some((p) => pointer === p || pointer.startsWith(`${p}/`));
    return (validate.errors ?? [])
      .filter((e) => !ignored(e.keyword === 'required' ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}` : e.instancePath))
      .map((e) => {
      const path = e.instancePath ? `params${e.instancePath.replace(/\//g, '.')}` : 'params';
      const extra = e.keyword === 'additionalProperties' ? ` ("${(e.params as { additionalProperty: string }).additionalProperty}")` : '';
        return `${path}: ${e.message ?? 'is invalid'}${extra}`;
      });
  }
}

function digestOf(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex');
}
