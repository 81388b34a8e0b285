import { Inject, Injectable, Logger } from '@nestjs/common';
import { type GenerateOutput, type GenerateParams, MAX_DIFF_CHARS } from '@autocode/contracts';
import { GitError } from '@autocode/git';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { type EphemeralWorkspace, PathOutsideWorkspaceError, resolveInside, WorkspaceManager } from '@autocode/sandbox';
import { NonRetryableTaskError, type TaskContext } from '@autocode/worker';
import type { GenerationNodeConfig } from '../config/generation-node.config';
import { CheckpointTracker } from './checkpoint-tracker';
import { resumableCheckpoint } from './generation-checkpoint';
import { GenerationFailure, type Generator } from './generator';
import { GeneratorRegistry } from './generator-registry';
import { RepositoryToolchain } from './repository-toolchain';

/** Git's words for a repository or commit that is not there: no retry will find it. */
const MISSING = /not a git repository|does not exist|unknown revision|not a tree|not a valid object|could not read from remote|repository .* not found|did not match any/i;

/**
 * Runs one generate task: a fresh checkout of the repository at the planned
 * commit, the opportunity's generator over it (built-ins in the sandbox),
 * then `git diff` of the workspace as the patch. The workspace is removed
 * whatever happens. Progress is reported as the generator goes, with
 * checkpoints a retried attempt resumes from.
 */
@Injectable()
export class GenerationService {
  private readonly logger = new Logger(GenerationService.name);

  constructor(
    private readonly metrics: MetricsWriter,
    private readonly workspaces: WorkspaceManager,
    private readonly registry: GeneratorRegistry,
    private readonly toolchain: RepositoryToolchain,
    @Inject(SERVICE_CONFIG) private readonly config: GenerationNodeConfig,
  ) {}

  async generate(params: GenerateParams, context: TaskContext): Promise<GenerateOutput> {
    const generator = this.generatorFor(params);
    const { kind } = params.opportunity;
    const started = performance.now();
    await context.progress(1, `checking out ${params.commit.slice(0, 12)}`);
    const workspace = await this.checkout(params);
    try {
      for (const file of params.opportunity.files) await resolveInside(workspace.root, file);
      const resumed = await this.resume(workspace, params, generator, context);
      const tracker = new CheckpointTracker(workspace, context, { generator: generator.name, commit: params.commit }, resumed, this.config.GENERATION_CHECKPOINT_INTERVAL_MS);
      const overall = (percent: number) => Math.round(5 + Math.max(0, Math.min(100, percent)) * 0.9);
      let generatorPercent = 0;
      // After the resume (its diff must not see node_modules); taken out again before the patch's diff.
      const prepared = await this.toolchain.prepare(generator.name, workspace, context.signal);
      const report = await generator.generate({
        repositoryTools: prepared ? { env: prepared.env, readOnlyPaths: prepared.readOnlyPaths } : undefined,
        params,
        workspace,
        context,
        resumedFiles: resumed.done,
        fileDone: (file, touched) => tracker.fileDone(file, touched, overall(generatorPercent), `${generator.name}: ${file} done`),
        progress: (percent, message) => {
          generatorPercent = percent;
          void context.progress(overall(percent), message).catch(() => undefined);
        },
      });
      await tracker.settle();
      await this.toolchain.release(workspace, prepared);
      context.signal.throwIfAborted();
      const diff = await workspace.diff();
      if (diff.diff.length > MAX_DIFF_CHARS) {
        throw new NonRetryableTaskError(`the patch is too large to ship (${diff.diff.length} characters, at most ${MAX_DIFF_CHARS}): narrow the opportunity's files`);
      }
      const outcome = diff.diff ? 'patch' : 'no-change';
      const durationMs = performance.now() - started;
      this.metrics.record(
        'generation_run',
        {
          duration_ms: durationMs,
          task_id: context.taskId,
          attempt: context.attempt,
          files_changed: diff.filesChanged,
          insertions: diff.insertions,
          deletions: diff.deletions,
          resumed_files: resumed.done.length,
          checkpoints: tracker.saved,
        },
        { generator: generator.name, kind, outcome },
      );
      this.logger.log({ msg: 'generated', taskId: context.taskId, generator: generator.name, kind, outcome, filesChanged: diff.filesChanged, resumedFiles: resumed.done.length, notes: report.notes.slice(0, 20), stats: report.stats });
      return {
        generator: generator.name,
        outcome,
        patch: { diff: diff.diff, filesChanged: diff.filesChanged, insertions: diff.insertions, deletions: diff.deletions },
      };
    } catch (error) {
      this.metrics.increment('generation_failure', { generator: generator.name, kind, reason: failureReason(error) });
      throw asTaskError(error);
    } finally {
      await workspace.remove();
    }
  }

  private generatorFor(params: GenerateParams): Generator {
    const generator = this.registry.get(params.opportunity.generator);
    if (!generator) {
      throw new NonRetryableTaskError(`no generator named "${params.opportunity.generator}" on this node (it has: ${this.registry.names().join(', ')})`);
    }
    const unavailable = generator.unavailableReason();
    if (unavailable) throw new NonRetryableTaskError(`generator "${generator.name}" is not offered by this node: ${unavailable}`);
    return generator;
  }

  private async checkout(params: GenerateParams): Promise<EphemeralWorkspace> {
    try {
      return await this.workspaces.create(params.repository, params.commit);
    } catch (error) {
      const message = `cannot check out ${params.commit} of ${params.repository}: ${(error as Error).message}`;
      if (error instanceof GitError && MISSING.test(error.stderr)) throw new NonRetryableTaskError(message);
      throw new Error(message);
    }
  }

  /** Applies an earlier attempt's checkpoint to the fresh workspace; what it covered is skipped. */
  private async resume(workspace: EphemeralWorkspace, params: GenerateParams, generator: Generator, context: TaskContext): Promise<{ done: string[]; touched: string[] }> {
    const checkpoint = resumableCheckpoint(context.checkpoint, generator.name, params.commit);
    if (!checkpoint) return { done: [], touched: [] };
    const check = await workspace.checkPatch(checkpoint.diff);
    if (checkpoint.diff && !check.applies) {
      this.logger.warn({ msg: 'checkpoint does not apply; starting over', taskId: context.taskId, reason: check.applies ? '' : check.reason });
      return { done: [], touched: [] };
    }
    await workspace.applyPatch(checkpoint.diff);
    const touched = (await workspace.diff()).files.map((f) => f.path);
    await context.progress(5, `resuming after ${checkpoint.done.length} file(s) finished by attempt ${context.attempt - 1}`);
    this.logger.log({ msg: 'resuming from checkpoint', taskId: context.taskId, attempt: context.attempt, files: checkpoint.done.length });
    return { done: checkpoint.done, touched };
  }
}

function asTaskError(error: unknown): unknown {
  if (error instanceof GenerationFailure) return error.retryable ? new Error(error.message) : new NonRetryableTaskError(error.message);
  if (error instanceof PathOutsideWorkspaceError) return new NonRetryableTaskError(`refused: ${error.message}`);
  return error;
}

function failureReason(error: unknown): string {
  const message = (error as Error)?.message ?? '';
  if (/time limit/.test(message)) return 'time-limit';
  if (/memory limit/.test(message)) return 'memory-limit';
  if (error instanceof PathOutsideWorkspaceError) return 'path-outside-workspace';
  if (error instanceof GenerationFailure) return error.retryable ? 'retryable' : 'generator-failed';
  if (error instanceof NonRetryableTaskError) return 'non-retryable';
  return 'error';
}
