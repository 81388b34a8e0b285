import { Injectable, Logger } from '@nestjs/common';
import {
  generationCompletedEvent,
  taskProgressEvent,
  type Envelope,
  type GenerationRequested,
} from '@autocode/contracts';
import { EventPublisher } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';
import { ServiceIdentity } from '@autocode/runtime';
import { type Generator, NoopGenerator } from './generator';

@Injectable()
export class GenerationService {
  private readonly logger = new Logger(GenerationService.name);
  private readonly generators = new Map<string, Generator>([['noop', new NoopGenerator()]]);

  constructor(
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsWriter,
    private readonly identity: ServiceIdentity,
  ) {}

  async run(envelope: Envelope<GenerationRequested>): Promise<void> {
    const request = envelope.payload;
    const nodeId = this.identity.instanceId;
    const reply = { key: request.taskId, correlationId: request.taskId, causationId: envelope.id };
    const started = performance.now();

    if (Date.parse(request.deadline) < Date.now()) {
      this.logger.warn({ msg: 'skipping a request past its deadline', taskId: request.taskId, attempt: request.attempt });
      return;
    }
    const base = { taskId: request.taskId, attempt: request.attempt, nodeId, stage: 'generation' as const };
    await this.publisher.publish(taskProgressEvent, { ...base, percent: 0, message: 'started' }, reply);

    const generator = this.generators.get(request.opportunity.generator);
    const result = generator
      ? await generator.generate(request).then(
          (output) => ({ ok: true as const, output }),
          (error: Error) => ({ ok: false as const, error }),
        )
      : { ok: false as const, error: new Error(`no generator named "${request.opportunity.generator}" on this node`) };

    const durationMs = performance.now() - started;
    const common = { taskId: request.taskId, attempt: request.attempt, nodeId, generator: request.opportunity.generator, durationMs };
    if (result.ok) {
      const changed = result.output.patch.diff.length > 0;
      await this.publisher.publish(
        generationCompletedEvent,
        { ...common, outcome: changed ? 'patch' : 'no-change', patch: result.output.patch },
        reply,
      );
    } else {
      await this.publisher.publish(
        generationCompletedEvent,
        { ...common, outcome: 'failed', patch: null, error: { message: result.error.message, retryable: Boolean(generator) } },
        reply,
      );
    }
    this.metrics.record(
      'generation_run',
      { duration_ms: durationMs, task_id: request.taskId, attempt: request.attempt },
      { generator: request.opportunity.generator, outcome: result.ok ? 'ok' : 'failed', node: nodeId },
    );
  }
}
