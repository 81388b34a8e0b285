import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  jsonObjectSchema,
  newId,
  retryPolicySchema,
  taskPrioritySchema,
  taskTypeNameSchema,
  type WorkerPool,
} from '@autocode/contracts';
import { TaskTypeRegistry, type RegisteredTaskType } from '../registry/task-type-registry';
import { utilityEgressProblems } from '../utility/utility-egress-checks';
import { TaskLifecycleService, type TransitionContext } from './task-lifecycle.service';
import { UNSET_TASK_FIELDS, type TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

export const createTaskSchema = z.strictObject({
  type: taskTypeNameSchema,
  params: jsonObjectSchema.default({}),
  priority: taskPrioritySchema.default('MEDIUM'),
  /** Not before this time (a delayed task). */
  scheduledFor: z.iso.datetime({ offset: true }).optional(),
  /** Overrides the type's default time limit. */
  timeLimitSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
  /** Overrides parts of the type's default retry policy. */
  retry: retryPolicySchema.partial().optional(),
  /** Groups related tasks (a batch, a trigger, a workflow run). */
  correlationId: z.string().min(1).max(200).optional(),
  /** A second submission with the same key within 24 h returns the first task instead of creating one. */
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type CreateTaskRequest = z.input<typeof createTaskSchema>;
export type CreateTask = z.infer<typeof createTaskSchema>;

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export class InvalidTaskError extends Error {
  readonly httpStatus = 400;
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'InvalidTaskError';
  }
}

/** Turns requests into queued tasks: the type must be known, the params must fit its schema. */
@Injectable()
export class TaskSubmissionService {
  constructor(
    private readonly registry: TaskTypeRegistry,
    private readonly lifecycle: TaskLifecycleService,
    private readonly tasks: TaskRepository,
  ) {}

  async submit(
    request: CreateTask | CreateTaskRequest,
    context: TransitionContext,
    options: { id?: string; parentId?: string } = {},
  ): Promise<{ task: TaskRecord; created: boolean }> {
    const parsed = createTaskSchema.parse(request);
    const type = await this.registry.get(parsed.type);
    this.check(type, parsed);
    let id = options.id ?? newId('tsk');
    if (parsed.idempotencyKey) id = await this.tasks.claimDedupeKey(parsed.idempotencyKey, id, IDEMPOTENCY_TTL_SECONDS);
    return this.lifecycle.create({ ...this.build(id, type, parsed), parentId: options.parentId ?? null }, context);
  }

  /** All-or-nothing validation, then one round trip to create them all. */
  async submitMany(requests: CreateTask[], context: TransitionContext): Promise<Array<{ id: string; created: boolean }>> {
    const types = new Map<string, RegisteredTaskType>();
    const problems: string[] = [];
    for (const [i, request] of requests.entries()) {
      try {
        if (!types.has(request.type)) types.set(request.type, await this.registry.get(request.type));
        this.check(types.get(request.type)!, request);
      } catch (error) {
        problems.push(`tasks.${i}: ${(error as Error).message}`);
      }
    }
    if (problems.length) throw new InvalidTaskError(problems);
    const items = [];
    for (const request of requests) {
      let id = newId('tsk');
      if (request.idempotencyKey) id = await this.tasks.claimDedupeKey(request.idempotencyKey, id, IDEMPOTENCY_TTL_SECONDS);
      items.push({ task: this.build(id, types.get(request.type)!, request), context });
    }
    const created = await this.lifecycle.createMany(items);
    return items.map((item, i) => ({ id: item.task.id, created: created[i] }));
  }

  /**
   * Creates what it can of many independent requests in few round trips
   * (schedules firing together): each request is checked on its own, and
   * its problem is reported in its place instead of failing the others.
   */
  async submitBatch(items: Array<{ request: CreateTask; context: TransitionContext }>): Promise<Array<{ id: string; created: boolean } | { error: string }>> {
    const types = new Map<string, RegisteredTaskType | Error>();
    for (const { request } of items) {
      if (!types.has(request.type)) types.set(request.type, await this.registry.get(request.type).catch((error: Error) => error));
    }
    const results: Array<{ id: string; created: boolean } | { error: string }> = [];
    const valid: Array<{ index: number; task: TaskRecord; context: TransitionContext; key?: string }> = [];
    items.forEach(({ request, context }, index) => {
      const type = types.get(request.type)!;
      try {
        if (type instanceof Error) throw type;
        this.check(type, request);
        valid.push({ index, task: this.build(newId('tsk'), type, request), context, key: request.idempotencyKey });
        results[index] = { id: '', created: false };
      } catch (error) {
        results[index] = { error: (error as Error).message };
      }
    });
    const holders = await this.tasks.claimDedupeKeys(
      valid.filter((v) => v.key).map((v) => ({ key: v.key!, taskId: v.task.id })),
      IDEMPOTENCY_TTL_SECONDS,
    );
    const fresh = valid.filter((v) => !v.key || holders.get(v.key) === v.task.id);
    const created = await this.lifecycle.createMany(fresh.map(({ task, context }) => ({ task, context })));
    fresh.forEach((v, i) => (results[v.index] = { id: v.task.id, created: created[i] }));
    // A key already held by another task: that task stands for this request.
    for (const v of valid) if (v.key && holders.get(v.key) !== v.task.id) results[v.index] = { id: holders.get(v.key)!, created: false };
    return results;
  }

  private check(type: RegisteredTaskType, request: CreateTask): void {
    // A literal internal address or a non-http(s) URL in http_request / notify params is refused here too (names are judged at run time).
    const problems = [...this.registry.validateParams(type, request.params), ...utilityEgressProblems(type.name, request.params)];
    if (problems.length) throw new InvalidTaskError(problems);
  }

  private build(id: string, type: RegisteredTaskType, request: CreateTask): TaskRecord {
    const now = new Date().toISOString();
    return {
      id,
      type: type.name,
      pool: type.pool as WorkerPool,
      priority: request.priority,
      state: 'CREATED',
      attempt: 1,
      failures: 0,
      retry: { ...type.defaults.retry, ...request.retry },
      timeLimitMs: (request.timeLimitSeconds ?? type.defaults.timeLimitSeconds) * 1000,
      params: request.params,
      ...UNSET_TASK_FIELDS,
      correlationId: request.correlationId ?? null,
      createdAt: now,
      updatedAt: now,
      scheduledFor: request.scheduledFor ? new Date(request.scheduledFor).toISOString() : null,
    };
  }
}
