import { Injectable, Logger } from '@nestjs/common';
import type { GenerateOutput, GenerateParams } from '@autocode/contracts';
import { MetricsWriter } from '@autocode/metrics';
import { NonRetryableTaskError, type TaskContext } from '@autocode/worker';
import { type Generator, NoopGenerator } from './generator';

@Injectable()
export class GenerationService {
  private readonly logger = new Logger(GenerationService.name);
  private readonly generators = new Map<string, Generator>([['noop', new NoopGenerator()]]);

  constructor(private readonly metrics: MetricsWriter) {}

  async generate(params: GenerateParams, context: TaskContext): Promise<GenerateOutput> {
    const generator = this.generators.get(params.opportunity.generator);
    if (!generator) throw new NonRetryableTaskError(`no generator named "${params.opportunity.generator}" on this node`);
    const started = performance.now();
    await context.progress(5, `running ${generator.name} on ${params.opportunity.files.length} file(s)`);
    const { patch } = await generator.generate(params, context);
    const durationMs = performance.now() - started;
    this.metrics.record(
      'generation_run',
      { duration_ms: durationMs, task_id: context.taskId, attempt: context.attempt, files_changed: patch.filesChanged },
      { generator: generator.name, kind: params.opportunity.kind, outcome: patch.diff ? 'patch' : 'no-change' },
    );
    this.logger.log({ msg: 'generated', taskId: context.taskId, generator: generator.name, filesChanged: patch.filesChanged });
    return { generator: generator.name, outcome: patch.diff ? 'patch' : 'no-change', patch };
  }
}
