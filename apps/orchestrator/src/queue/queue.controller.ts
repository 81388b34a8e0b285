import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { workerPoolSchema, WORKER_POOLS } from '@autocode/contracts';
import { Authorize } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import { ApiZodBody, ApiZodQuery } from '../http/api-zod';
import { TaskTypeRegistry } from '../registry/task-type-registry';
import { TaskCommandsService } from '../tasks/task-commands.service';
import { WorkerRepository } from '../workers/worker.repository';
import { QueueInsightsService } from './queue-insights.service';

const poolsSchema = z.strictObject({ pools: z.array(workerPoolSchema).min(1).optional() }).default({});
const forecastQuerySchema = z.strictObject({ lookaheadHours: z.coerce.number().min(0.01).max(24 * 31).default(24) });

@ApiTags('queue')
@Authorize('viewer')
@Controller('api')
export class QueueController {
  constructor(
    private readonly insights: QueueInsightsService,
    private readonly commands: TaskCommandsService,
    private readonly workers: WorkerRepository,
    private readonly registry: TaskTypeRegistry,
  ) {}

  @Get('queue')
  @ApiOperation({ summary: 'Whether each pool is paused, and ready tasks per pool and priority' })
  async queue() {
    const summary = await this.insights.summary();
    return { paused: await this.commands.queuePaused(), depth: summary.queueDepth, delayed: summary.delayed };
  }

  @Post('queue/pause')
  @Authorize('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop dispatching (all pools, or the ones named); running tasks go on' })
  @ApiZodBody(poolsSchema)
  async pause(@Body(new ZodValidationPipe(poolsSchema)) body: z.infer<typeof poolsSchema>) {
    await this.commands.pauseQueue(body.pools ?? WORKER_POOLS);
    return { paused: await this.commands.queuePaused() };
  }

  @Post('queue/resume')
  @Authorize('operator')
  @HttpCode(200)
  @ApiZodBody(poolsSchema)
  async resume(@Body(new ZodValidationPipe(poolsSchema)) body: z.infer<typeof poolsSchema>) {
    await this.commands.resumeQueue(body.pools ?? WORKER_POOLS);
    return { paused: await this.commands.queuePaused() };
  }

  @Get('metrics/summary')
  @ApiOperation({ summary: 'Tasks per minute, success rate over the last hour, queue depth per priority, running per worker' })
  summary() {
    return this.insights.summary();
  }

  @Get('forecast')
  @ApiOperation({ summary: 'What will run when within the look-ahead: delayed tasks, retries, schedule firings' })
  @ApiZodQuery(forecastQuerySchema)
  forecast(@Query(new ZodValidationPipe(forecastQuerySchema, 'query')) query: z.infer<typeof forecastQuerySchema>) {
    return this.insights.forecast(query.lookaheadHours);
  }

  @Get('workers')
  @ApiOperation({ summary: 'Workers that sent heartbeats: pool, capacity, partitions, tasks in flight' })
  async listWorkers() {
    return { items: await this.workers.list() };
  }

  @Get('task-types')
  @ApiOperation({ summary: 'Task types with their params schema, pool and defaults' })
  async taskTypes() {
    return { items: await this.registry.list() };
  }
}
