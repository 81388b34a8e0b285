import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authorize, CurrentPrincipal, type Principal } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import { ApiZodBody, ApiZodQuery } from '../http/api-zod';
import {
  RUN_STATUSES,
  startRunSchema,
  workflowDefinitionJsonSchema,
  workflowNameSchema,
  type NodeRun,
  type StartRun,
  type WorkflowDefinition,
  type WorkflowRun,
} from './workflow-definition';
import { WorkflowDefinitionsService } from './workflow-definitions.service';
import { RunNotFoundError, WorkflowEngine } from './workflow-engine.service';
import { WorkflowRepository } from './workflow.repository';

const runIdSchema = z.string().regex(/^run_[A-Za-z0-9_-]{6,64}$/, 'must be a workflow run id like "run_…"');
const versionQuerySchema = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
const listRunsSchema = z.strictObject({
  workflow: workflowNameSchema.optional(),
  status: z.enum(RUN_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const commandSchema = z.strictObject({ reason: z.string().max(500).optional() }).default({});

@ApiTags('workflows')
@Authorize('viewer')
@Controller('api')
export class WorkflowsController {
  constructor(
    private readonly definitions: WorkflowDefinitionsService,
    private readonly engine: WorkflowEngine,
    private readonly runs: WorkflowRepository,
  ) {}

  @Get('workflows/schema')
  @ApiOperation({ summary: 'JSON Schema of the workflow definition format' })
  schema(): Record<string, unknown> {
    return workflowDefinitionJsonSchema();
  }

  @Post('workflows')
  @Authorize('admin')
  @ApiOperation({ summary: 'Register a workflow definition (validated before it is stored; a new version when none is given)' })
  @ApiZodBody(z.record(z.string(), z.unknown()), 'a workflow definition; see GET /api/workflows/schema')
  register(@Body() body: unknown): Promise<WorkflowDefinition> {
    return this.definitions.register(body);
  }

  @Get('workflows')
  async list() {
    return { items: await this.definitions.list() };
  }

  @Get('workflows/:name')
  @ApiZodQuery(versionQuerySchema)
  get(
    @Param('name', new ZodValidationPipe(workflowNameSchema, 'name')) name: string,
    @Query(new ZodValidationPipe(versionQuerySchema, 'query')) query: z.infer<typeof versionQuerySchema>,
  ): Promise<WorkflowDefinition> {
    return this.definitions.get(name, query.version);
  }

  @Post('workflows/:name/runs')
  @Authorize('operator')
  @ApiOperation({ summary: 'Start a run of the latest (or a given) version' })
  @ApiZodBody(startRunSchema)
  startRun(
    @Param('name', new ZodValidationPipe(workflowNameSchema, 'name')) name: string,
    @Body(new ZodValidationPipe(startRunSchema)) body: StartRun,
  ): Promise<WorkflowRun> {
    return this.engine.startRun(name, body);
  }

  @Get('workflow-runs')
  @ApiOperation({ summary: 'Runs, newest first; filter by workflow or status' })
  @ApiZodQuery(listRunsSchema)
  async listRuns(@Query(new ZodValidationPipe(listRunsSchema, 'query')) query: z.infer<typeof listRunsSchema>) {
    const { ids, total } = await this.runs.list({ workflow: query.workflow, status: query.status }, query.offset, query.limit);
    const items = (await Promise.all(ids.map((id) => this.runs.run(id)))).filter((r): r is WorkflowRun => r !== null);
    const filtered = query.workflow && query.status ? items.filter((r) => r.workflow === query.workflow) : items;
    return { items: filtered, total };
  }

  @Get('workflow-runs/:id')
  @ApiOperation({ summary: 'A run with its node runs (status, times, attempts, output or error)' })
  async getRun(@Param('id', new ZodValidationPipe(runIdSchema, 'id')) id: string): Promise<WorkflowRun & { nodes: NodeRun[] }> {
    const run = await this.runs.run(id);
    if (!run) throw new RunNotFoundError(id);
    const definition = await this.definitions.get(run.workflow, run.version);
    const nodes = await this.runs.nodes(id);
    // In definition order, which is the order people read them in.
    const order = new Map(definition.nodes.map((n, i) => [n.id, i]));
    return { ...run, nodes: nodes.sort((a, b) => order.get(a.nodeId)! - order.get(b.nodeId)!) };
  }

  @Post('workflow-runs/:id/cancel')
  @Authorize('operator')
  @HttpCode(200)
  cancel(
    @Param('id', new ZodValidationPipe(runIdSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(commandSchema)) _body: { reason?: string },
    @CurrentPrincipal() who: Principal,
  ) {
    return this.engine.cancel(id, who.name);
  }

  @Post('workflow-runs/:id/pause')
  @Authorize('operator')
  @HttpCode(200)
  pause(
    @Param('id', new ZodValidationPipe(runIdSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(commandSchema)) _body: { reason?: string },
    @CurrentPrincipal() who: Principal,
  ) {
    return this.engine.pause(id, who.name);
  }

  @Post('workflow-runs/:id/resume')
  @Authorize('operator')
  @HttpCode(200)
  resume(
    @Param('id', new ZodValidationPipe(runIdSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(commandSchema)) _body: { reason?: string },
    @CurrentPrincipal() who: Principal,
  ) {
    return this.engine.resume(id, who.name);
  }
}
