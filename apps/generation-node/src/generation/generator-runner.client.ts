import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { type EphemeralWorkspace, isOutOfMemoryMessage, Sandbox, type SandboxRunResult } from '@autocode/sandbox';
import type { GenerationNodeConfig } from '../config/generation-node.config';
import { decodeRunnerEvent, type RunnerEvent, type RunnerJob } from '../runner/runner-protocol';
import { GeneratorToolchain } from '../sandbox/sandbox.module';
import { GenerationFailure, type GeneratorReport } from './generator';

/** Leaves the task itself this long to report after the runner was stopped for its deadline. */
const DEADLINE_MARGIN_MS = 5_000;

/**
 * Starts the generator runner in the sandbox on a workspace, feeds it a
 * job and relays its events. Every way the run can end becomes either a
 * report or a GenerationFailure that says why, in words fit for the task's
 * error.
 */
@Injectable()
export class GeneratorRunnerClient {
  constructor(
    private readonly sandbox: Sandbox,
    private readonly toolchain: GeneratorToolchain,
    @Inject(SERVICE_CONFIG) private readonly config: GenerationNodeConfig,
  ) {}

  async run(
    workspace: EphemeralWorkspace,
    job: RunnerJob,
    options: { deadline: Date; signal: AbortSignal; onEvent: (event: RunnerEvent) => void; repositoryTools?: { env: Record<string, string>; readOnlyPaths: string[] } },
  ): Promise<GeneratorReport> {
    const timeoutMs = Math.max(1000, Math.min(this.config.GENERATOR_TIME_LIMIT_MS, options.deadline.getTime() - Date.now() - DEADLINE_MARGIN_MS));
    let done: Extract<RunnerEvent, { type: 'done' }> | undefined;
    let failed: Extract<RunnerEvent, { type: 'error' }> | undefined;
    const result = await this.sandbox.run({
      ...workspace.sandboxPaths,
      command: process.execPath,
      // A deeper JavaScript stack than V8's ~1 MB default (well inside the usual 8 MB thread stack): loading a
      // module for test-scaffold follows its whole import chain, which in large repositories runs a thousand deep.
      args: ['--stack-size=3900', this.toolchain.paths.runnerPath],
      stdin: JSON.stringify(job),
      timeoutMs,
      memoryMb: this.config.GENERATOR_MEMORY_MB,
      // The repository's prepared dependencies (its ESLint, its formatter), read-only; its Node.js first on PATH.
      ...(options.repositoryTools ? { env: options.repositoryTools.env, readOnlyPaths: options.repositoryTools.readOnlyPaths } : {}),
      signal: options.signal,
      onStdoutLine: (line) => {
        const event = decodeRunnerEvent(line);
        if (!event) return;
        if (event.type === 'done') done = event;
        else if (event.type === 'error') failed = event;
        else options.onEvent(event);
      },
    });
    if (result.reason !== 'exited') throw stoppedBySandbox(job.generator, result);
    if (failed && isOutOfMemoryMessage(failed.message)) {
      // The allocation failed under the sandbox's limit and the code that ran out caught it: still the memory limit.
      throw new GenerationFailure(`generator ${job.generator} stopped by the sandbox: memory limit of ${this.config.GENERATOR_MEMORY_MB} MB exceeded (${failed.message})`, false);
    }
    if (failed) throw new GenerationFailure(`generator ${job.generator} failed: ${failed.message}`, !failed.permanent);
    if (result.exitCode !== 0 || !done) {
      throw new GenerationFailure(`generator ${job.generator} ${result.summary} without finishing its job${tail(result.stderr)}`, false);
    }
    return { notes: done.notes, stats: done.stats };
  }
}

function stoppedBySandbox(generator: string, result: SandboxRunResult): GenerationFailure {
  // Another attempt may get more time on a less busy node; the other limits would be met again.
  const retryable = result.reason === 'time-limit' || result.reason === 'spawn-failed' || result.reason === 'signal';
  return new GenerationFailure(`generator ${generator} ${result.summary}${tail(result.stderr)}`, retryable);
}

function tail(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean).slice(-5).join(' | ');
  return lines ? ` (stderr: ${lines.slice(0, 1000)})` : '';
}
