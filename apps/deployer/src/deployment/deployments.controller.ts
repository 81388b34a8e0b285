import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { Authorize, CurrentPrincipal, type Principal } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import { ApprovalConflictError, ApprovalService } from '../approvals/approval.service';
import { findEnvironment } from '../environments/environment-config';
import { RepositoryConfigReader } from '../environments/repository-config.reader';
import { DEPLOYMENT_STATUSES, type DeploymentRecord, type EnvironmentState } from './deployment.model';
import { DeploymentRepository } from './deployment.repository';
import { RolloutService } from './rollout.service';

const idSchema = z.string().regex(/^dep_[A-Za-z0-9_-]{6,64}$/, 'must be a deployment id like "dep_…"');
const listQuerySchema = z.strictObject({
  status: z.enum(DEPLOYMENT_STATUSES).optional(),
  environment: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const decisionSchema = z.strictObject({ comment: z.string().min(1).max(1000).optional() }).default({});
const rollbackSchema = z.strictObject({ reason: z.string().min(1).max(1000) });

type PendingView = DeploymentRecord & { awaitingTask: boolean; expiresInSeconds: number | null };

/** Deployments, their audit trails, approvals and by-hand rollbacks. Reads need a viewer key, decisions an operator key. */
@Controller('api')
export class DeploymentsController {
  constructor(
    private readonly records: DeploymentRepository,
    private readonly approvals: ApprovalService,
    private readonly rollouts: RolloutService,
    private readonly configs: RepositoryConfigReader,
  ) {}

  @Get('deployments')
  @Authorize('viewer')
  async list(@Query(new ZodValidationPipe(listQuerySchema, 'query')) query: z.infer<typeof listQuerySchema>): Promise<{ items: DeploymentRecord[] }> {
    return { items: await this.records.list(query) };
  }

  /** Deployments awaiting approval, oldest first; `awaitingTask` is false when no deploy task is waiting on it any more (cancelled). */
  @Get('deployments/pending')
  @Authorize('viewer')
  async pending(): Promise<{ items: PendingView[] }> {
    const items = await this.records.pending();
    const waiters = await this.records.waiters(items.map((i) => i.id));
    return {
      items: items.map((item, i) => ({
        ...item,
        awaitingTask: waiters[i] !== null,
        expiresInSeconds: item.approval.expiresAt ? Math.max(0, Math.round((Date.parse(item.approval.expiresAt) - Date.now()) / 1000)) : null,
      })),
    };
  }

  @Get('deployments/:id')
  @Authorize('viewer')
  get(@Param('id', new ZodValidationPipe(idSchema, 'id')) id: string): Promise<DeploymentRecord> {
    return this.records.get(id);
  }

  @Post('deployments/:id/approve')
  @HttpCode(200)
  @Authorize('operator')
  approve(
    @Param('id', new ZodValidationPipe(idSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(decisionSchema)) body: z.infer<typeof decisionSchema>,
    @CurrentPrincipal() who: Principal,
  ): Promise<DeploymentRecord> {
    return this.approvals.decide(id, 'approved', who.name, body.comment);
  }

  @Post('deployments/:id/reject')
  @HttpCode(200)
  @Authorize('operator')
  reject(
    @Param('id', new ZodValidationPipe(idSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(decisionSchema)) body: z.infer<typeof decisionSchema>,
    @CurrentPrincipal() who: Principal,
  ): Promise<DeploymentRecord> {
    return this.approvals.decide(id, 'rejected', who.name, body.comment);
  }

  /** Reverts a deployment that is still what its environment runs (answers when the rollback has finished). */
  @Post('deployments/:id/rollback')
  @HttpCode(200)
  @Authorize('operator')
  async rollback(
    @Param('id', new ZodValidationPipe(idSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(rollbackSchema)) body: z.infer<typeof rollbackSchema>,
    @CurrentPrincipal() who: Principal,
  ): Promise<DeploymentRecord> {
    const record = await this.records.get(id);
    if (record.status !== 'deployed' && record.status !== 'failed') {
      throw new ApprovalConflictError(`deployment ${id} is ${record.status}; only a deployed (or failed) deployment can be rolled back`);
    }
    const state = await this.records.environmentState(record.repositoryKey, record.environment);
    if (state && state.deploymentId !== id) {
      throw new ApprovalConflictError(`${record.environment} now runs deployment ${state.deploymentId}; roll that one back first`);
    }
    const env = findEnvironment(await this.configs.read(record.repository, record.baseCommit), record.environment);
    return this.rollouts.rollbackByHand(record, env, `rolled back by ${who.name}: ${body.reason}`, who.name);
  }

  @Get('environments')
  @Authorize('viewer')
  async environments(): Promise<{ items: EnvironmentState[] }> {
    return { items: await this.records.environmentStates() };
  }
}
