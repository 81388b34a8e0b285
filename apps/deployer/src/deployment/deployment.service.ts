import { Injectable, Logger } from '@nestjs/common';
import { deploymentCompletedEvent, type DeploymentCompleted, type DeploymentRequested, type Envelope } from '@autocode/contracts';
import { EventPublisher } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';

@Injectable()
export class DeploymentService {
  private readonly logger = new Logger(DeploymentService.name);

  constructor(
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsWriter,
  ) {}

  async deploy(envelope: Envelope<DeploymentRequested>): Promise<void> {
    const request = envelope.payload;
    const started = performance.now();
    // Environments (branches, hooks, health checks) are not configured yet:
    // an empty patch leaves every environment as it is; anything else is
    // refused rather than reported as shipped.
    const result: Pick<DeploymentCompleted, 'outcome' | 'summary'> =
      request.patch.diff.length === 0
        ? { outcome: 'nothing-to-deploy', summary: `empty patch: ${request.environment} unchanged` }
        : { outcome: 'failed', summary: `no deployment target is configured for ${request.environment}` };
    const durationMs = performance.now() - started;
    await this.publisher.publish(
      deploymentCompletedEvent,
      { taskId: request.taskId, attempt: request.attempt, environment: request.environment, ...result, durationMs },
      { key: request.taskId, correlationId: request.taskId, causationId: envelope.id },
    );
    this.metrics.record('deployment_run', { duration_ms: durationMs, task_id: request.taskId }, { environment: request.environment, outcome: result.outcome });
    this.logger.log({ msg: 'deployment handled', taskId: request.taskId, outcome: result.outcome });
  }
}
