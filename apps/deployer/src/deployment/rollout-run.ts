import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hookFileCandidates } from '@autocode/validation-record';
import type { MetricsWriter } from '@autocode/metrics';
import type { TaskContext } from '@autocode/worker';
import type { DeployerConfig } from '../config/deployer.config';
import type { EnvironmentConfig } from '../environments/environment-config';
import type { FeatureFlagRepository } from '../flags/feature-flag.repository';
import type { DeploymentNotifier } from '../notifications/deployment-notifier.service';
import { factsOf } from '../notifications/facts';
import { fallbackCommitMessage } from '../release/commit-message';
import { describeHookFailure, runHook } from '../release/deploy-hook.runner';
import { hookEnvironment, passedSecrets } from '../release/hook-env';
import type { HookUser } from '../release/hook-user';
import type { HealthCheckClient } from '../release/health-check.client';
import { PatchConflictError, type ReleaseWorkspace } from '../release/release-workspace';
import type { CanaryMetricsRepository } from '../strategies/canary-metrics.repository';
import type { AuditEntry, DeploymentRecord, DeploymentStatus } from './deployment.model';
import type { DeploymentRepository } from './deployment.repository';

export type Verdict = { ok: true } | { ok: false; reason: string };

/** How a strategy brings a landed revision live, and brings the environment back after a revert. */
export interface RolloutStrategy {
  deploy(run: RolloutRun): Promise<Verdict>;
  /** The revert is on the branch; make the environment run it again. */
  restore(run: RolloutRun, revertRevision: string): Promise<Verdict>;
}

export interface RolloutDeps {
  records: DeploymentRepository;
  flags: FeatureFlagRepository;
  canaryMetrics: CanaryMetricsRepository;
  health: HealthCheckClient;
  notifier: DeploymentNotifier;
  metrics: MetricsWriter;
  config: DeployerConfig;
  /** Variables of the deployer's environment hooks may be given (DEPLOY_HOOK_ENV_PASSTHROUGH); each hook gets those its pass_env names. */
  hookAllowed: readonly string[];
  /** DEPLOY_HOOK_USER, resolved at start-up. */
  hookUser?: HookUser;
  /** Base URL deployed services reach this deployer at (flag state). */
  publicUrl: string;
}

const IN_FLIGHT: readonly DeploymentStatus[] = ['deploying', 'verifying'];

/**
 * One deployment's rollout under its environment's lock: land the change
 * on the branch, let the strategy bring it live, and on a failed check
 * revert and restore. Every step is written to the record (and its audit
 * trail) before the next, so a retried task resumes where this one stopped.
 */
export class RolloutRun {
  private signal: AbortSignal;

  constructor(
    readonly deps: RolloutDeps,
    public record: DeploymentRecord,
    readonly env: EnvironmentConfig,
    readonly ws: ReleaseWorkspace,
    /** The resolved remote (may hold credentials: never store or log it). */
    readonly remote: string,
    private readonly strategy: RolloutStrategy,
    private readonly context: TaskContext | null,
    signal: AbortSignal,
    /** Fires only if the environment lock is lost: what a rollback after an abort still listens to. */
    private readonly lockSignal: AbortSignal,
  ) {
    this.signal = signal;
  }

  get abortSignal(): AbortSignal {
    return this.signal;
  }

  get revision(): string {
    if (!this.record.revision) throw new Error(`deployment ${this.record.id} has no revision yet`);
    return this.record.revision;
  }

  async execute(diff: string): Promise<DeploymentRecord> {
    try {
      if (this.record.status === 'rolling-back') return await this.rollback(this.record.rollback?.reason ?? 'resuming an interrupted rollback');
      if (!(await this.land(diff))) return this.record;
      await this.move(IN_FLIGHT, 'verifying', 'verifying', `strategy ${this.record.strategy}`);
      await this.progress(40, `verifying ${this.record.revision?.slice(0, 12)} on ${this.env.name} (${this.record.strategy})`);
      const verdict = await this.strategy.deploy(this);
      return verdict.ok ? await this.finishDeployed() : await this.fail(verdict.reason);
    } catch (error) {
      if (!this.signal.aborted || !this.record.revision || !IN_FLIGHT.includes(this.record.status)) throw error;
      // Stopped half-way (time limit, stop order, shutdown): do not leave the environment half-deployed.
      const why = (this.signal.reason as Error | undefined)?.message ?? 'aborted';
      this.signal = this.lockSignal;
      return this.fail(`the deployment was stopped half-way (${why})`);
    }
  }

  /** Commits the change on the environment's branch and pushes it; false when it cannot apply (the record says why). */
  private async land(diff: string): Promise<boolean> {
    const branch = this.record.branch!;
    const tip = await this.ws.remoteTip(this.remote, branch);
    if (tip) await this.ws.fetchBranch(this.remote, branch);
    if (this.record.revision && tip) {
      const landed = await this.ws.findDeploymentCommit(tip, this.record.id);
      if (landed) {
        await this.save({ revision: landed }, { action: 'resumed', detail: `${landed} is already on ${branch}` });
        return true;
      }
    }
    const onto = tip ?? this.record.baseCommit;
    let revision: string;
    try {
      revision = await this.ws.commitPatch({ onto, branch, diff, message: this.record.commitMessage ?? fallbackCommitMessage(this.record) });
    } catch (error) {
      if (!(error instanceof PatchConflictError)) throw error;
      await this.move(['approved', ...IN_FLIGHT], 'failed', 'not-applied', error.message, { reason: error.message, finishedAt: new Date().toISOString() });
      return false;
    }
    await this.move(['approved', ...IN_FLIGHT], 'deploying', 'committed', `${revision} on ${branch} after ${onto}${tip ? '' : ' (new branch)'}`, {
      previousRevision: onto,
      revision,
    });
    await this.progress(30, `pushing ${revision.slice(0, 12)} to ${branch}`);
    await this.ws.push(this.remote, revision, branch);
    await this.save({}, { action: 'pushed', detail: `${branch} → ${revision}` });
    return true;
  }

  private async finishDeployed(): Promise<DeploymentRecord> {
    const now = new Date().toISOString();
    const record = this.record;
    await this.recordLive(this.revision);
    await this.deps.records.markLive(record.repositoryKey, record.changeId, record.environment, record.id, now);
    const flag = record.featureFlag ? await this.deps.flags.find(record.featureFlag.name) : undefined;
    await this.move(['verifying'], 'deployed', 'deployed', `${record.branch} at ${this.revision}`, {
      finishedAt: now,
      reason: null,
      ...(flag && record.featureFlag ? { featureFlag: { name: flag.name, enabled: flag.enabled } } : {}),
    });
    this.deps.notifier.notify(factsOf(this.record, 'deployed'), this.record.notify);
    await this.pruneReleases();
    return this.record;
  }

  /** A check failed: roll back, unless the environment says a person decides. */
  async fail(reason: string): Promise<DeploymentRecord> {
    if (this.env.rollback.enabled && this.env.rollback.onFailure === 'auto') return this.rollback(reason);
    // The failed revision stays live until someone acts: the environment's state says so (a by-hand rollback targets this deployment).
    await this.recordLive(this.revision);
    await this.move([...IN_FLIGHT], 'failed', 'failed', `${reason}; rollback is ${this.env.rollback.enabled ? 'manual' : 'disabled'}`, {
      reason: `${reason} (left at ${this.record.revision?.slice(0, 12)}: rollback is ${this.env.rollback.enabled ? 'manual' : 'disabled'})`,
      finishedAt: new Date().toISOString(),
    });
    this.deps.notifier.notify(factsOf(this.record, 'failed'), this.record.notify);
    return this.record;
  }

  /** Revert on the branch, then the strategy restores the environment; up to rollback.max_attempts times. */
  async rollback(reason: string, actor = 'deployer'): Promise<DeploymentRecord> {
    const previous = this.record.rollback;
    await this.move(['deploying', 'verifying', 'deployed', 'failed', 'rolling-back'], 'rolling-back', 'rolling-back', reason, {
      rollback: { reason, attempts: previous?.attempts ?? 0, ...(previous?.revision ? { revision: previous.revision } : {}) },
      reason,
    }, actor);
    await this.progress(70, `rolling back ${this.env.name}: ${reason}`);
    let last = '';
    for (let attempt = (this.record.rollback?.attempts ?? 0) + 1; attempt <= this.env.rollback.maxAttempts; attempt++) {
      try {
        const revert = await this.landRevert(reason);
        const verdict = revert ? await this.strategy.restore(this, revert) : ({ ok: true } as const);
        if (verdict.ok) return await this.finishRolledBack(revert, reason);
        last = verdict.reason;
      } catch (error) {
        if (this.signal.aborted) throw error;
        last = (error as Error).message;
      }
      await this.save({ rollback: { ...this.record.rollback!, attempts: attempt } }, { action: 'rollback-attempt-failed', detail: `attempt ${attempt}: ${last}` });
    }
    await this.move(['rolling-back'], 'rollback-failed', 'rollback-failed', last, {
      reason: `${reason}; the rollback failed too (${this.env.rollback.maxAttempts} attempt${this.env.rollback.maxAttempts > 1 ? 's' : ''}): ${last}`,
      finishedAt: new Date().toISOString(),
    });
    this.deps.notifier.notify(factsOf(this.record, 'failed'), this.record.notify);
    return this.record;
  }

  /** Puts a revert of the deployed revision on the branch (once); null when the revision never reached it. */
  private async landRevert(reason: string): Promise<string | null> {
    const branch = this.record.branch!;
    const tip = await this.ws.remoteTip(this.remote, branch);
    if (!tip) return null;
    await this.ws.fetchBranch(this.remote, branch);
    if (this.record.rollback?.revision && tip === this.record.rollback.revision) return tip;
    if (!(await this.ws.isAncestor(this.revision, tip))) return null;
    const revert = await this.ws.revert({ onto: tip, revision: this.revision, deploymentId: this.record.id, reason });
    await this.save({ rollback: { ...this.record.rollback!, revision: revert } }, { action: 'reverted', detail: `${revert} reverts ${this.revision}` });
    await this.ws.push(this.remote, revert, branch);
    await this.save({}, { action: 'pushed', detail: `${branch} → ${revert} (revert)` });
    return revert;
  }

  private async finishRolledBack(revert: string | null, reason: string): Promise<DeploymentRecord> {
    const now = new Date().toISOString();
    const record = this.record;
    if (revert) await this.recordLive(revert);
    await this.deps.records.unmarkLive(record.repositoryKey, record.changeId, record.environment, record.id);
    if (record.featureFlag) {
      const flag = await this.deps.flags.retire(record.featureFlag.name, 'deployer', `deployment ${record.id} rolled back`);
      record.featureFlag = { name: flag.name, enabled: flag.enabled };
    }
    await this.move(['rolling-back'], 'rolled-back', 'rolled-back', revert ? `${record.branch} at ${revert}` : 'the change never reached the branch', {
      finishedAt: now,
      reason,
      ...(record.featureFlag ? { featureFlag: record.featureFlag } : {}),
    });
    this.deps.notifier.notify(factsOf(this.record, 'rolled-back'), this.record.notify);
    return this.record;
  }

  /** The environment now runs `revision`, by this deployment (blue-green slots are kept as the strategy left them). */
  private async recordLive(revision: string): Promise<void> {
    const r = this.record;
    const state = await this.deps.records.environmentState(r.repositoryKey, r.environment);
    await this.deps.records.saveEnvironmentState(r.repositoryKey, {
      ...state,
      repository: r.repository,
      environment: r.environment,
      branch: r.branch!,
      revision,
      deploymentId: r.id,
      updatedAt: new Date().toISOString(),
    });
  }

  /**
   * Runs the environment's hook (if any) in a checkout of `revision`, its
   * own files as of the change's base revision, with the environment its
   * configuration names and as DEPLOY_HOOK_USER when set; returns why it
   * failed (secrets it was given redacted), or undefined.
   */
  async hook(action: string, revision: string, extra: Record<string, string> = {}): Promise<string | undefined> {
    const hook = this.env.hook;
    if (!hook) return undefined;
    const cwd = await this.ws.release(revision);
    const pinned = await this.ws.pinHookFiles(cwd, this.record.baseCommit, hookFileCandidates(hook.command));
    const user = this.deps.hookUser;
    if (user) await this.ws.shareReadOnly(cwd);
    const result = await runHook({
      command: hook.command,
      cwd,
      env: this.hookEnv(action, revision, hook, extra),
      ...(user ? { user } : {}),
      timeoutMs: hook.timeoutMs,
      logFile: join(this.ws.logsDir, `${this.record.id}.log`),
      signal: this.signal,
    });
    const failure = describeHookFailure(result, hook.timeoutMs, passedSecrets(hook.passEnv, this.deps.hookAllowed, process.env));
    this.deps.metrics.record(
      'deployment_hook',
      { duration_ms: result.durationMs, exit_code: result.exitCode ?? -1, deployment_id: this.record.id },
      { environment: this.record.environment, action, outcome: failure ? 'failed' : 'ok' },
    );
    const from = pinned.length ? ` (${pinned.join(', ')} as of ${this.record.baseCommit.slice(0, 12)})` : '';
    await this.save({}, { action: `hook:${action}`, detail: `${failure ?? `exit 0 in ${Math.round(result.durationMs)} ms at ${revision.slice(0, 12)}`}${from}${user ? ` as ${user.name}` : ''}` });
    this.signal.throwIfAborted();
    return failure;
  }

  /** Runs every health check against `baseUrl`; returns why the first failing one failed, or undefined. */
  async checkHealth(baseUrl: string | undefined, revision: string, label = 'health'): Promise<string | undefined> {
    for (const check of this.env.healthChecks) {
      const started = performance.now();
      const report = await this.deps.health.check(check, baseUrl, revision, this.signal);
      this.deps.metrics.record(
        'deployment_health_check',
        { duration_ms: performance.now() - started, attempts: report.attempts, deployment_id: this.record.id },
        { environment: this.record.environment, outcome: report.passed ? 'passed' : 'failed' },
      );
      await this.save({}, { action: `${label}-check`, detail: `${report.url}: ${report.passed ? 'passed' : report.detail} after ${report.attempts} attempt(s)` });
      if (!report.passed) return `${report.url}: ${report.detail} after ${report.attempts} attempt${report.attempts > 1 ? 's' : ''}`;
    }
    return undefined;
  }

  async save(patch: Partial<DeploymentRecord>, audit: Omit<AuditEntry, 'at' | 'actor'>, actor = 'deployer'): Promise<void> {
    this.record = await this.deps.records.update(this.record.id, () => patch, { actor, ...audit });
  }

  async progress(percent: number, message: string): Promise<void> {
    await this.context?.progress(percent, message, { deploymentId: this.record.id, phase: this.record.status });
  }

  private async move(
    from: readonly DeploymentStatus[],
    to: DeploymentStatus,
    action: string,
    detail: string,
    extra: Partial<DeploymentRecord> = {},
    actor = 'deployer',
  ): Promise<void> {
    const moved = await this.deps.records.transition(this.record.id, from, to, { actor, action, detail }, extra);
    if (!moved) {
      const now = await this.deps.records.get(this.record.id);
      throw new Error(`deployment ${this.record.id} is ${now.status}; expected one of ${from.join(', ')} before ${to}`);
    }
    this.record = moved;
  }

  private hookEnv(action: string, revision: string, hook: NonNullable<EnvironmentConfig['hook']>, extra: Record<string, string>): Record<string, string> {
    const r = this.record;
    const user = this.deps.hookUser;
    return hookEnvironment({
      basics: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: user ? (existsSync(user.home) ? user.home : tmpdir()) : (process.env.HOME ?? tmpdir()),
        LANG: 'C.UTF-8',
      },
      passEnv: hook.passEnv,
      allowed: this.deps.hookAllowed,
      host: process.env,
      literal: hook.env,
      facts: {
        AUTOCODE_ACTION: action,
        AUTOCODE_ENVIRONMENT: r.environment,
        AUTOCODE_ENVIRONMENT_URL: this.env.url ?? '',
        AUTOCODE_BRANCH: r.branch ?? '',
        AUTOCODE_REVISION: revision,
        AUTOCODE_PREVIOUS_REVISION: r.previousRevision ?? '',
        AUTOCODE_DEPLOYMENT_ID: r.id,
        AUTOCODE_TASK_ID: r.taskId,
        AUTOCODE_STRATEGY: r.strategy,
        AUTOCODE_TITLE: r.title,
        ...extra,
      },
    });
  }

  private async pruneReleases(): Promise<void> {
    const state = await this.deps.records.environmentState(this.record.repositoryKey, this.record.environment);
    const live = new Set([this.record.revision, this.record.previousRevision, state?.revision, ...Object.values(state?.slots ?? {})].filter((r): r is string => Boolean(r)));
    await this.ws.pruneReleases(live, this.deps.config.DEPLOY_KEEP_RELEASES).catch(() => undefined);
  }
}
