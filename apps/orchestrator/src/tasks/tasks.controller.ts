import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { taskIdSchema, taskPrioritySchema, taskStateSchema, taskTypeNameSchema, type TaskTransition } from '@autocode/contracts';
import { Authorize, CurrentPrincipal, type Principal } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import { ApiZodBody, ApiZodQuery } from '../http/api-zod';
import { TaskCommandsService } from './task-commands.service';
import { TaskLifecycleService } from './task-lifecycle.service';
import { createTaskSchema, TaskSubmissionService, type CreateTask } from './task-submission.service';
import type { TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

const listQuerySchema = z.strictObject({
  state: taskStateSchema.optional(),
  priority: taskPrioritySchema.optional(),
  type: taskTypeNameSchema.optional(),
  correlationId: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
type ListQuery = z.infer<typeof listQuerySchema>;

const bulkSchema = z.strictObject({ tasks: z.array(createTaskSchema).min(1).max(1000) });
const commandSchema = z.strictObject({ reason: z.string().min(1).max(500).optional() }).default({});

/** Filtered listings read the index in pages and filter in memory, up to this many entries per request. */
const MAX_SCAN = 5000;

@ApiTags('tasks')
@Authorize('viewer')
@Controller('api/tasks')
export class TasksController {
  constructor(
    private readonly submission: TaskSubmissionService,
    private readonly commands: TaskCommandsService,
    private readonly lifecycle: TaskLifecycleService,
    private readonly tasks: TaskRepository,
  ) {}

  @Post()
  @Authorize('operator')
  @ApiOperation({ summary: 'Create a task (queued at once, or delayed until scheduledFor)' })
  @ApiZodBody(createTaskSchema)
  async create(@Body(new ZodValidationPipe(createTaskSchema)) body: CreateTask, @CurrentPrincipal() who: Principal): Promise<TaskRecord & { created: boolean }> {
    const { task, created } = await this.submission.submit(body, { actor: who.name, source: 'api', reason: 'created over REST' });
    return { ...task, created };
  }

  @Post('bulk')
  @Authorize('operator')
  @ApiOperation({ summary: 'Create up to 1000 tasks in one request (all or none pass validation)' })
  @ApiZodBody(bulkSchema)
  async createMany(
    @Body(new ZodValidationPipe(bulkSchema)) body: z.infer<typeof bulkSchema>,
    @CurrentPrincipal() who: Principal,
  ): Promise<{ tasks: Array<{ id: string; created: boolean }> }> {
    return { tasks: await this.submission.submitMany(body.tasks, { actor: who.name, source: 'api', reason: 'created over REST (bulk)' }) };
  }

  @Get()
  @ApiOperation({
    summary: 'List tasks, newest first',
    description: 'Filter by state (indexed), priority, type or correlation id. `nextOffset` continues the listing; with filters other than state, offsets count index entries scanned, and `total` is null.',
  })
  @ApiZodQuery(listQuerySchema)
  async list(@Query(new ZodValidationPipe(listQuerySchema, 'query')) query: ListQuery): Promise<{ items: TaskRecord[]; total: number | null; nextOffset: number | null }> {
    const matches = (task: TaskRecord | null): task is TaskRecord =>
      task !== null &&
      (!query.priority || task.priority === query.priority) &&
      (!query.type || task.type === query.type) &&
      (!query.correlationId || task.correlationId === query.correlationId);
    const filtered = Boolean(query.priority || query.type || query.correlationId);

    const items: TaskRecord[] = [];
    let cursor = query.offset;
    let total = 0;
    while (items.length < query.limit && cursor - query.offset < MAX_SCAN) {
      const page = await this.tasks.list(query.state, cursor, filtered ? 200 : query.limit - items.length);
      total = page.total;
      if (page.ids.length === 0) break;
      const records = await this.tasks.getMany(page.ids);
      let used = 0;
      for (const task of records) {
        if (items.length >= query.limit) break;
        used += 1;
        if (matches(task)) items.push(task);
      }
      cursor += used;
    }
    return { items, total: filtered ? null : total, nextOffset: cursor < total ? cursor : null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A task, with its audit trail' })
  async get(@Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string): Promise<TaskRecord & { history: TaskTransition[] }> {
    const task = await this.lifecycle.get(id);
    return { ...task, history: await this.lifecycle.history(id) };
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Audit trail: every transition with actor, time, source and reason' })
  async history(@Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string): Promise<{ taskId: string; history: TaskTransition[] }> {
    await this.lifecycle.get(id);
    return { taskId: id, history: await this.lifecycle.history(id) };
  }

  @Get(':id/result')
  @ApiOperation({ summary: 'Output or error of a finished task (404 until it has one)' })
  async result(@Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string) {
    const task = await this.lifecycle.get(id);
    if (task.output === null && task.error === null) throw new NotFoundException(`task ${id} has no result yet (state ${task.state})`);
    return { taskId: id, state: task.state, attempt: task.attempt, output: task.output, error: task.error, finishedAt: task.finishedAt };
  }

  @Get(':id/progress')
  @ApiOperation({ summary: 'Latest progress reported by the worker' })
  async progress(@Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string) {
    const task = await this.lifecycle.get(id);
    return { taskId: id, state: task.state, attempt: task.attempt, progress: task.progress, checkpoint: task.checkpoint };
  }

  @Post(':id/cancel')
  @Authorize('operator')
  @HttpCode(200)
  @ApiZodBody(commandSchema)
  cancel(
    @Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(commandSchema)) body: { reason?: string },
    @CurrentPrincipal() who: Principal,
  ) {
    return this.commands.cancel(id, { actor: who.name, source: 'api', reason: body.reason });
  }

  @Post(':id/pause')
  @Authorize('operator')
  @HttpCode(200)
  @ApiZodBody(commandSchema)
  pause(
    @Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(commandSchema)) body: { reason?: string },
    @CurrentPrincipal() who: Principal,
  ) {
    return this.commands.pause(id, { actor: who.name, source: 'api', reason: body.reason });
  }

  @Post(':id/resume')
  @Authorize('operator')
  @HttpCode(200)
  @ApiZodBody(commandSchema)
  resume(
    @Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(commandSchema)) body: { reason?: string },
    @CurrentPrincipal() who: Principal,
  ) {
    return this.commands.resume(id, { actor: who.name, source: 'api', reason: body.reason });
  }

  @Post(':id/retry')
  @Authorize('operator')
  @HttpCode(200)
  @ApiZodBody(commandSchema)
  retry(
    @Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(commandSchema)) body: { reason?: string },
    @CurrentPrincipal() who: Principal,
  ) {
    return this.commands.retry(id, { actor: who.name, source: 'api', reason: body.reason });
  }
}
