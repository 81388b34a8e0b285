import { createHash } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { z } from 'zod';
import { BUILT_IN_TASK_TYPES, type JsonObject, type TaskTypeDescriptor } from '@autocode/contracts';
import { RedisConnection } from '@autocode/state';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { TaskKeys } from '../tasks/task-keys';

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
  private readonly ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  private readonly validators = new Map<string, { digest: string; validate: ValidateFunction }>();
  private readonly announced = new Map<string, string>();

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

  /** Stores descriptors whose content changed since this instance last saw them. */
  async announce(descriptors: TaskTypeDescriptor[], workerId: string): Promise<void> {
    const now = new Date().toISOString();
    const changed: string[] = [];
    for (const descriptor of descriptors) {
      const digest = digestOf(descriptor);
      const key = `${descriptor.name}:${workerId}`;
      if (this.announced.get(key) === digest) continue;
      this.announced.set(key, digest);
      const registered: RegisteredTaskType = { ...descriptor, lastAnnouncedBy: workerId, lastAnnouncedAt: now };
      changed.push(descriptor.name, JSON.stringify(registered));
    }
    if (changed.length) await this.redis.client.hset(this.keys.taskTypes(), ...changed);
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
    const digest = digestOf(type.paramsSchema);
    let cached = this.validators.get(type.name);
    if (!cached || cached.digest !== digest) {
      cached = { digest, validate: this.ajv.compile(type.paramsSchema) };
      this.validators.set(type.name, cached);
    }
    if (cached.validate(params)) return [];
    const ignored = (pointer: string) => ignore.some((p) => pointer === p || pointer.startsWith(`${p}/`));
    return (cached.validate.errors ?? [])
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
