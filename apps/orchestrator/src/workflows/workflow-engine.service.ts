import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { JsonObject, JsonValue } from '@autocode/contracts';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG, ServiceRunner, type Startable } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { paramsSchemaAjv } from '../registry/linear-regexp';
import { TaskCommandsService } from '../tasks/task-commands.service';
import { TaskSubmissionService } from '../tasks/task-submission.service';
import type { TaskRecord } from '../tasks/task.model';
import { TaskRepository } from '../tasks/task.repository';
import { TimerService } from '../timers/timer.service';
import {
  childWorkflowParamsSchema,
  TERMINAL_NODE_STATUSES,
  type NodeRun,
  type RunStatus,
  type StartRun,
  type WorkflowDefinition,
  type WorkflowNode,
  type WorkflowRun,
} from './workflow-definition';
import { WorkflowDefinitionsService } from './workflow-definitions.service';
import { evaluateCondition, resolveReferences, UnresolvedReferenceError, type ReferenceScope } from './workflow-references';
import { runOutcome } from './workflow-status';
import { WorkflowRepository } from './workflow.repository';

export class RunNotFoundError extends Error {
  readonly httpStatus = 404;
  constructor(id: string) {
    super(`workflow run ${id} not found`);
  }
}

export class RunStateError extends Error {
  readonly httpStatus = 409;
  constructor(id: string, status: RunStatus, action: string) {
    super(`workflow run ${id} is ${status}: it cannot be ${action}`);
  }
}

export class InvalidRunParamsError extends Error {
  readonly httpStatus = 400;
  constructor(readonly problems: string[]) {
    super(`invalid run params: ${problems.join('; ')}`);
  }
}

/** Something that wants to know when a node finishes (the knowledge base, say). */
export type NodeFinishedListener = (run: WorkflowRun, node: WorkflowNode, nodeRun: NodeRun) => Promise<void>;

/** Ids derived from their parents: a retried step creates nothing twice. */
export function derivedId(prefix: 'tsk' | 'run', ...parts: string[]): string {
  return `${prefix}_${createHash('sha256').update(parts.join(':')).digest('hex').slice(0, 24)}`;
}

const SWEEP_INTERVAL_MS = 15_000;
const EXECUTING_TASK = ['QUEUED', 'SCHEDULED', 'RUNNING', 'RETRYING', 'PAUSED', 'CREATED'];

/**
 * Runs workflows over the task core. A node becomes a task (so priorities,
 * retries, time limits and progress apply) as soon as its dependencies
 * allow; independent nodes run at the same time. Finished tasks move the
 * run on (from lifecycle events; a periodic sweep catches anything missed,
 * e.g. across an orchestrator restart). Every step is idempotent — node
 * moves are compare-and-set in Redis and task/child-run ids derive from the
 * run and node — so any number of orchestrator instances may advance the
 * same run.
 */
@Injectable()
export class WorkflowEngine implements OnModuleInit, Startable {
  readonly name = 'workflow-engine';
  private readonly logger = new Logger(WorkflowEngine.name);
  private readonly ajv = paramsSchemaAjv();
  private readonly listeners: NodeFinishedListener[] = [];
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly runs: WorkflowRepository,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly submission: TaskSubmissionService,
    private readonly commands: TaskCommandsService,
    private readonly tasks: TaskRepository,
    private readonly timers: TimerService,
    private readonly metrics: MetricsWriter,
    private readonly runner: ServiceRunner,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  onModuleInit(): void {
    this.runner.register(this);
    this.timers.register({
      name: 'workflow-deadlines',
      earliest: () => this.runs.earliestDeadline(),
      fire: (now) => this.expire(now),
    });
  }

  onNodeFinished(listener: NodeFinishedListener): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
  }

  // --- starting, and moving runs on ----------------------------------------

  async startRun(workflow: string, request: StartRun, options: { id?: string; parent?: WorkflowRun['parent'] } = {}): Promise<WorkflowRun> {
    const definition = await this.definitions.get(workflow, request.version);
    this.checkParams(definition, request.params);
    const now = new Date();
    const run: WorkflowRun = {
      id: options.id ?? derivedId('run', workflow, now.toISOString(), Math.random().toString(36)),
      workflow,
      version: definition.version,
      status: 'RUNNING',
      params: request.params,
      priority: request.priority,
      correlationId: request.correlationId ?? null,
      parent: options.parent ?? null,
      createdAt: now.toISOString(),
      finishedAt: null,
      deadline: new Date(now.getTime() + definition.maxDurationSeconds * 1000).toISOString(),
      error: null,
    };
    const created = await this.runs.createRun(run, definition.nodes.map((node) => pendingNode(node)));
    if (!created) return (await this.runs.run(run.id)) ?? run;
    this.metrics.increment('workflow_run_started', { workflow });
    this.timers.poke(Date.parse(run.deadline));
    await this.advance(run.id);
    return (await this.runs.run(run.id)) ?? run;
  }

  /** Starts every node whose dependencies allow it, skips those they never will, and finishes the run when all are done. */
  async advance(runId: string): Promise<void> {
    for (let round = 0; round < 1000; round += 1) {
      const run = await this.runs.run(runId);
      if (!run || run.status !== 'RUNNING') return;
      const definition = await this.definitions.get(run.workflow, run.version);
      const nodes = new Map((await this.runs.nodes(runId)).map((n) => [n.nodeId, n]));
      let moved = false;

      for (const node of definition.nodes) {
        const nodeRun = nodes.get(node.id);
        if (!nodeRun || nodeRun.status !== 'PENDING') continue;
        const deps = node.dependsOn.map((id) => nodes.get(id)!);
        if (deps.some((d) => !TERMINAL_NODE_STATUSES.includes(d.status))) continue;
        const verdict = triggerVerdict(node, deps);
        if (verdict.skip) {
          moved = (await this.finishNode(run, node, nodeRun, { status: 'SKIPPED', reason: verdict.reason, skippedByCondition: verdict.byCondition })) || moved;
          continue;
        }
        const scope = this.scopeOf(run, nodes);
        if (node.when && !evaluateCondition(node.when, scope)) {
          moved = (await this.finishNode(run, node, nodeRun, { status: 'SKIPPED', reason: 'its condition did not hold', skippedByCondition: true })) || moved;
          continue;
        }
        moved = (await this.startNode(run, node, nodeRun, scope)) || moved;
      }

      const current = await this.runs.nodes(runId);
      if (current.every((n) => TERMINAL_NODE_STATUSES.includes(n.status))) {
        await this.finishRun(run, current);
        return;
      }
      if (!moved) return;
    }
  }

  private async startNode(run: WorkflowRun, node: WorkflowNode, nodeRun: NodeRun, scope: ReferenceScope): Promise<boolean> {
    if (node.type === 'workflow') return this.startChildren(run, node, nodeRun, scope);
    let params: JsonObject;
    try {
      params = resolveReferences(node.params, scope) as JsonObject;
    } catch (error) {
      return this.finishNode(run, node, nodeRun, { status: 'FAILED', error: (error as Error).message, reason: 'its params could not be resolved' });
    }
    const taskId = derivedId('tsk', run.id, node.id);
    if (!(await this.runs.moveNode(run.id, ['PENDING'], { ...nodeRun, status: 'RUNNING', taskId, startedAt: new Date().toISOString() }))) return false;
    await this.submitNodeTask(run, node, taskId, params);
    return true;
  }

  private async submitNodeTask(run: WorkflowRun, node: WorkflowNode, taskId: string, params: JsonObject): Promise<void> {
    try {
      await this.submission.submit(
        {
          type: node.type,
          params,
          priority: node.priority ?? run.priority,
          correlationId: run.id,
          ...(node.retry ? { retry: node.retry } : {}),
          ...(node.timeLimitSeconds ? { timeLimitSeconds: node.timeLimitSeconds } : {}),
        },
        { actor: `workflow:${run.workflow}`, source: `run:${run.id}`, reason: `node ${node.id}` },
        { id: taskId },
      );
    } catch (error) {
      const nodeRun = (await this.runs.nodes(run.id)).find((n) => n.nodeId === node.id)!;
      await this.finishNode(run, node, nodeRun, { status: 'FAILED', error: (error as Error).message, reason: 'its task could not be created' }, ['RUNNING']);
    }
  }

  private async startChildren(run: WorkflowRun, node: WorkflowNode, nodeRun: NodeRun, scope: ReferenceScope): Promise<boolean> {
    let items: JsonValue[] | undefined;
    let workflow: string;
    try {
      const { forEach, workflow: name } = node.params;
      items = forEach === undefined ? undefined : (resolveReferences(forEach, scope) as JsonValue[]);
      workflow = String(name);
      if (items !== undefined && !Array.isArray(items)) throw new Error('params.forEach must resolve to an array');
      if ((items?.length ?? 1) > this.config.WORKFLOW_MAX_CHILD_RUNS) throw new Error(`forEach gives ${items!.length} items; the limit is ${this.config.WORKFLOW_MAX_CHILD_RUNS}`);
    } catch (error) {
      return this.finishNode(run, node, nodeRun, { status: 'FAILED', error: (error as Error).message, reason: 'its params could not be resolved' });
    }
    const perItem = (items ?? [null]).map((item, index) => ({ item, id: derivedId('run', run.id, node.id, String(index)) }));
    if (!(await this.runs.moveNode(run.id, ['PENDING'], { ...nodeRun, status: 'RUNNING', childRunIds: perItem.map((c) => c.id), startedAt: new Date().toISOString() }))) return false;
    for (const { item, id } of perItem) {
      try {
        const itemScope = { ...scope, item: item ?? undefined };
        const child = childWorkflowParamsSchema.parse({
          workflow,
          params: resolveReferences(node.params.params ?? {}, itemScope),
          ...(node.params.priority === undefined ? {} : { priority: resolveReferences(node.params.priority, itemScope) }),
        });
        await this.startRun(child.workflow, { params: child.params, priority: child.priority ?? run.priority, correlationId: run.correlationId ?? run.id }, { id, parent: { runId: run.id, nodeId: node.id } });
      } catch (error) {
        this.logger.warn({ msg: 'child run could not start', runId: run.id, nodeId: node.id, err: (error as Error).message });
        const current = (await this.runs.nodes(run.id)).find((n) => n.nodeId === node.id)!;
        await this.finishNode(run, node, current, { status: 'FAILED', error: `child run ${id}: ${(error as Error).message}`, reason: 'a child run could not start' }, ['RUNNING']);
        return true;
      }
    }
    // No items: nothing to wait for.
    if (perItem.length === 0 || items?.length === 0) await this.onChildFinished(run.id, node.id);
    return true;
  }

  // --- nodes finishing ----------------------------------------------------------

  /** A node's task reached a final state (from the lifecycle topic, or found by the sweep). */
  async onTaskFinished(taskId: string, runId: string): Promise<void> {
    const run = await this.runs.run(runId);
    if (!run || run.status === 'CANCELLED') return;
    const definition = await this.definitions.get(run.workflow, run.version);
    const node = definition.nodes.find((n) => derivedId('tsk', run.id, n.id) === taskId);
    if (!node) return;
    const nodeRun = (await this.runs.nodes(runId)).find((n) => n.nodeId === node.id);
    const task = await this.tasks.get(taskId);
    if (!nodeRun || nodeRun.status !== 'RUNNING' || !task || EXECUTING_TASK.includes(task.state)) return;
    await this.finishNode(run, node, nodeRun, this.outcomeOfTask(node, task), ['RUNNING']);
    await this.advance(runId);
  }

  private outcomeOfTask(node: WorkflowNode, task: TaskRecord): Partial<NodeRun> {
    const attempts = task.attempt;
    if (task.state === 'COMPLETED') {
      if (node.failWhen && evaluateCondition(node.failWhen, { runParams: {}, outputs: {}, output: task.output })) {
        return { status: 'FAILED', output: task.output, attempts, reason: 'its failWhen condition held for its output', error: 'failWhen held' };
      }
      return { status: 'SUCCESS', output: task.output, attempts };
    }
    if (task.state === 'CANCELLED') return { status: 'CANCELLED', attempts, reason: 'its task was cancelled' };
    return { status: 'FAILED', attempts, error: task.error?.message ?? 'task failed', reason: 'its task failed' };
  }

  /** A child run finished: when all children of the node have, the node ends (failed if any child did not succeed). */
  async onChildFinished(runId: string, nodeId: string): Promise<void> {
    const run = await this.runs.run(runId);
    if (!run || run.status === 'CANCELLED') return;
    const definition = await this.definitions.get(run.workflow, run.version);
    const node = definition.nodes.find((n) => n.id === nodeId);
    const nodeRun = (await this.runs.nodes(runId)).find((n) => n.nodeId === nodeId);
    if (!node || !nodeRun || nodeRun.status !== 'RUNNING') return;
    const children = await Promise.all(nodeRun.childRunIds.map((id) => this.runs.run(id)));
    if (children.some((c) => !c || c.status === 'RUNNING' || c.status === 'PAUSED')) return;
    const summary = children.map((c) => ({ runId: c!.id, status: c!.status }));
    const ok = summary.filter((c) => c.status === 'SUCCESS').length;
    const output = { runs: summary, succeeded: ok, notSucceeded: summary.length - ok };
    const outcome: Partial<NodeRun> =
      ok === summary.length
        ? { status: 'SUCCESS', output }
        : { status: 'FAILED', output, error: `${summary.length - ok} of ${summary.length} child run(s) did not succeed`, reason: 'a child run did not succeed' };
    await this.finishNode(run, node, nodeRun, outcome, ['RUNNING']);
    await this.advance(runId);
  }

  private async finishNode(run: WorkflowRun, node: WorkflowNode, nodeRun: NodeRun, outcome: Partial<NodeRun>, from: NodeRun['status'][] = ['PENDING']): Promise<boolean> {
    const finishedAt = new Date();
    const next: NodeRun = {
      ...nodeRun,
      ...outcome,
      tolerated: outcome.status === 'FAILED' && node.continueOnFailure,
      finishedAt: finishedAt.toISOString(),
      durationMs: nodeRun.startedAt ? finishedAt.getTime() - Date.parse(nodeRun.startedAt) : null,
    };
    if (!(await this.runs.moveNode(run.id, from, next))) return false;
    this.metrics.increment('workflow_node_finished', { workflow: run.workflow, type: node.type, status: next.status });
    for (const listener of this.listeners) {
      await listener(run, node, next).catch((error: Error) => this.logger.warn({ msg: 'node listener failed', runId: run.id, nodeId: node.id, err: error.message }));
    }
    return true;
  }

  private async finishRun(run: WorkflowRun, nodes: NodeRun[]): Promise<void> {
    const status = runOutcome(nodes);
    const finishedAt = new Date().toISOString();
    if (!(await this.runs.moveRun(run, ['RUNNING'], status, { finishedAt }, this.retentionSeconds))) return;
    this.metrics.record('workflow_run_finished', { duration_ms: Date.parse(finishedAt) - Date.parse(run.createdAt), nodes: nodes.length, run_id: run.id }, { workflow: run.workflow, status });
    this.logger.log({ msg: 'workflow run finished', runId: run.id, workflow: run.workflow, status });
    if (run.parent) await this.onChildFinished(run.parent.runId, run.parent.nodeId);
  }

  // --- operator commands -----------------------------------------------------------

  async cancel(runId: string, actor: string): Promise<WorkflowRun> {
    const run = await this.requireRun(runId);
    if (!(await this.runs.moveRun(run, ['RUNNING', 'PAUSED'], 'CANCELLED', { finishedAt: new Date().toISOString(), error: `cancelled by ${actor}` }, this.retentionSeconds))) {
      throw new RunStateError(runId, (await this.requireRun(runId)).status, 'cancelled');
    }
    for (const nodeRun of await this.runs.nodes(runId)) {
      if (nodeRun.taskId && nodeRun.status === 'RUNNING') await this.commands.cancel(nodeRun.taskId, { actor, source: `run:${runId}`, reason: 'workflow run cancelled' }).catch(() => undefined);
      for (const child of nodeRun.status === 'RUNNING' ? nodeRun.childRunIds : []) await this.cancel(child, actor).catch(() => undefined);
      if (nodeRun.status === 'PENDING' || nodeRun.status === 'RUNNING') {
        await this.runs.moveNode(runId, ['PENDING', 'RUNNING'], { ...nodeRun, status: 'CANCELLED', reason: 'the run was cancelled', finishedAt: new Date().toISOString() });
      }
    }
    if (run.parent) await this.onChildFinished(run.parent.runId, run.parent.nodeId);
    return this.requireRun(runId);
  }

  /** Starts nothing new, and pauses the tasks already running (they resume as new attempts, from their checkpoints). */
  async pause(runId: string, actor: string): Promise<WorkflowRun> {
    const run = await this.requireRun(runId);
    if (!(await this.runs.moveRun(run, ['RUNNING'], 'PAUSED', {}))) throw new RunStateError(runId, run.status, 'paused');
    for (const nodeRun of await this.runs.nodes(runId)) {
      if (nodeRun.status !== 'RUNNING') continue;
      if (nodeRun.taskId) await this.commands.pause(nodeRun.taskId, { actor, source: `run:${runId}`, reason: 'workflow run paused' }).catch(() => undefined);
      for (const child of nodeRun.childRunIds) await this.pause(child, actor).catch(() => undefined);
    }
    return this.requireRun(runId);
  }

  async resume(runId: string, actor: string): Promise<WorkflowRun> {
    const run = await this.requireRun(runId);
    if (!(await this.runs.moveRun(run, ['PAUSED'], 'RUNNING', {}))) throw new RunStateError(runId, run.status, 'resumed');
    for (const nodeRun of await this.runs.nodes(runId)) {
      if (nodeRun.status !== 'RUNNING') continue;
      if (nodeRun.taskId) {
        const task = await this.tasks.get(nodeRun.taskId);
        if (task?.state === 'PAUSED') await this.commands.resume(nodeRun.taskId, { actor, source: `run:${runId}`, reason: 'workflow run resumed' });
        else if (task && !EXECUTING_TASK.includes(task.state)) await this.onTaskFinished(task.id, runId);
      }
      for (const child of nodeRun.childRunIds) await this.resume(child, actor).catch(() => undefined);
    }
    await this.advance(runId);
    return this.requireRun(runId);
  }

  // --- recovery ------------------------------------------------------------------

  /**
   * Looks at every running run: a node whose task finished without us
   * hearing of it is finished now, a node that was started but whose task
   * was never created gets it, and the run is moved on. This is what lets
   * a run continue after the orchestrator was down.
   */
  async sweep(): Promise<void> {
    try {
      for (const runId of await this.runs.idsWithStatus('RUNNING')) {
        const run = await this.runs.run(runId);
        if (!run) continue;
        const definition = await this.definitions.get(run.workflow, run.version);
        const nodes = await this.runs.nodes(runId);
        for (const nodeRun of nodes.filter((n) => n.status === 'RUNNING')) {
          const node = definition.nodes.find((n) => n.id === nodeRun.nodeId)!;
          if (nodeRun.taskId) {
            const task = await this.tasks.get(nodeRun.taskId);
            if (!task) {
              const params = resolveReferences(node.params, this.scopeOf(run, new Map(nodes.map((n) => [n.nodeId, n])))) as JsonObject;
              await this.submitNodeTask(run, node, nodeRun.taskId, params);
            } else if (!EXECUTING_TASK.includes(task.state)) {
              await this.onTaskFinished(task.id, runId);
            }
          } else if (nodeRun.childRunIds.length) {
            await this.onChildFinished(runId, nodeRun.nodeId);
          }
        }
        await this.advance(runId);
      }
      await this.runs.pruneIndexes();
    } catch (error) {
      if (!(error instanceof UnresolvedReferenceError)) this.logger.error({ msg: 'workflow sweep failed', err: (error as Error).message });
    }
  }

  private async expire(now: Date): Promise<void> {
    for (const runId of await this.runs.pastDeadline(now.getTime())) {
      const run = await this.runs.run(runId);
      if (!run || (run.status !== 'RUNNING' && run.status !== 'PAUSED')) continue;
      const definition = await this.definitions.get(run.workflow, run.version);
      for (const nodeRun of await this.runs.nodes(runId)) {
        if (nodeRun.status === 'RUNNING' && nodeRun.taskId) await this.commands.cancel(nodeRun.taskId, { actor: 'orchestrator', source: `run:${runId}`, reason: 'workflow run exceeded its maximum duration' }).catch(() => undefined);
      }
      const error = `exceeded its maximum duration of ${definition.maxDurationSeconds}s`;
      if (await this.runs.moveRun(run, ['RUNNING', 'PAUSED'], 'FAILED', { finishedAt: now.toISOString(), error }, this.retentionSeconds)) {
        this.logger.warn({ msg: 'workflow run timed out', runId, workflow: run.workflow });
        if (run.parent) await this.onChildFinished(run.parent.runId, run.parent.nodeId);
      }
    }
  }

  // --- helpers ---------------------------------------------------------------------

  private scopeOf(run: WorkflowRun, nodes: Map<string, NodeRun>): ReferenceScope {
    const outputs: Record<string, JsonValue | null> = {};
    for (const [id, n] of nodes) if (n.status === 'SUCCESS' || n.tolerated) outputs[id] = n.output;
    return { runParams: run.params, outputs };
  }

  private checkParams(definition: WorkflowDefinition, params: JsonObject): void {
    if (!definition.paramsSchema) return;
    const validate = this.ajv.compile(definition.paramsSchema);
    if (validate(params)) return;
    throw new InvalidRunParamsError((validate.errors ?? []).map((e) => `params${e.instancePath.replace(/\//g, '.')}: ${e.message ?? 'is invalid'}`));
  }

  private async requireRun(id: string): Promise<WorkflowRun> {
    const run = await this.runs.run(id);
    if (!run) throw new RunNotFoundError(id);
    return run;
  }

  private get retentionSeconds(): number {
    return this.config.WORKFLOW_RUN_RETENTION_DAYS * 24 * 3600;
  }
}

function pendingNode(node: WorkflowNode): NodeRun {
  return {
    nodeId: node.id,
    type: node.type,
    status: 'PENDING',
    taskId: null,
    childRunIds: [],
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    output: null,
    error: null,
    reason: null,
    skippedByCondition: false,
    tolerated: false,
  };
}

/**
 * Whether a node whose dependencies have all finished may run, by its
 * trigger rule. A node skipped because of a skip inherits whether that
 * skip came from a condition (fine) or from a failure upstream.
 */
export function triggerVerdict(node: WorkflowNode, deps: NodeRun[]): { skip: false } | { skip: true; reason: string; byCondition: boolean } {
  const ok = (d: NodeRun) => d.status === 'SUCCESS' || d.tolerated;
  const failed = (d: NodeRun) => (d.status === 'FAILED' && !d.tolerated) || d.status === 'CANCELLED';
  const skipped = (d: NodeRun) => d.status === 'SKIPPED';
  const firstFailed = deps.find(failed);
  const firstSkipped = deps.find(skipped);
  switch (node.triggerRule) {
    case 'all_done':
      return { skip: false };
    case 'one_success':
      if (deps.length === 0 || deps.some(ok)) return { skip: false };
      return { skip: true, reason: 'none of its dependencies succeeded', byCondition: !firstFailed && deps.every((d) => d.skippedByCondition) };
    case 'none_failed':
      if (!firstFailed) return { skip: false };
      return { skip: true, reason: `dependency "${firstFailed.nodeId}" ${firstFailed.status === 'CANCELLED' ? 'was cancelled' : 'failed'}`, byCondition: false };
    default:
      if (firstFailed) return { skip: true, reason: `dependency "${firstFailed.nodeId}" ${firstFailed.status === 'CANCELLED' ? 'was cancelled' : 'failed'}`, byCondition: false };
      if (firstSkipped) return { skip: true, reason: `dependency "${firstSkipped.nodeId}" was skipped`, byCondition: firstSkipped.skippedByCondition };
      return { skip: false };
  }
}
