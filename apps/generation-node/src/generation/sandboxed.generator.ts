import type { BuiltInGeneratorName } from '../runner/runner-protocol';
import type { GenerationJob, Generator, GeneratorReport } from './generator';
import type { GeneratorRunnerClient } from './generator-runner.client';
import { plannedLintRules } from './planned-lint-rules';

/**
 * A built-in generator (lint-autofix, format, organize-imports,
 * doc-comments, test-scaffold): its code runs in the generator runner, in
 * the sandbox, file by file, so a retried task skips the files an earlier
 * attempt finished.
 */
export class SandboxedGenerator implements Generator {
  constructor(
    readonly name: BuiltInGeneratorName,
    private readonly runner: GeneratorRunnerClient,
  ) {}

  unavailableReason(): undefined {
    return undefined;
  }

  async generate(job: GenerationJob): Promise<GeneratorReport> {
    let todo = new Set<string>();
    let finished = 0;
    const unchanged: string[] = [];
    const report = await this.runner.run(
      job.workspace,
      {
        generator: this.name,
        kind: job.params.opportunity.kind,
        files: job.params.opportunity.files,
        skip: job.resumedFiles,
        feedback: job.params.feedback,
        round: job.params.round,
        lintRules: this.name === 'lint-autofix' ? plannedLintRules(job.params.opportunity.description) : [],
      },
      {
        deadline: job.context.deadline,
        signal: job.context.signal,
        repositoryTools: job.repositoryTools,
        onEvent: (event) => {
          if (event.type === 'started') {
            todo = new Set(event.files);
            const resumed = job.resumedFiles.length ? `, ${job.resumedFiles.length} done by an earlier attempt` : '';
            job.progress(0, `${this.name}: ${todo.size} file(s) to work through${resumed}`);
          } else if (event.type === 'file' && todo.has(event.file)) {
            finished += 1;
            if (event.status !== 'changed' && event.detail) unchanged.push(`${event.file}: ${event.detail}`);
            job.progress((finished / todo.size) * 100, `${this.name}: ${event.file} ${event.status}`);
            job.fileDone(event.file, event.touched);
          }
        },
      },
    );
    // Why files were left as they were: the first thing to read when a task ends in no-change.
    return { notes: [...report.notes, ...unchanged.slice(0, 50)], stats: report.stats };
  }
}
