import { Injectable, Logger } from '@nestjs/common';
import type { DeployOutput, DeployParams } from '@autocode/contracts';
import { MetricsWriter } from '@autocode/metrics';
import { NonRetryableTaskError, type TaskContext } from '@autocode/worker';

@Injectable()
export class DeploymentService {
  private readonly logger = new Logger(DeploymentService.name);

  constructor(private readonly metrics: MetricsWriter) {}

  async deploy(params: DeployParams, context: TaskContext): Promise<DeployOutput> {
    const started = performance.now();
    // Environments (branches, hooks, health checks) are not configured yet:
    // an empty patch leaves every environment as it is; anything else is
    // refused rather than reported as shipped.
    if (params.patch.diff.length > 0) {
      this.metrics.record('deployment_run', { duration_ms: performance.now() - started, task_id: context.taskId }, { environment: params.environment, outcome: 'failed' });
      throw new NonRetryableTaskError(`no deployment target is configured for ${params.environment}`);
    }
    this.metrics.record('deployment_run', { duration_ms: performance.now() - started, task_id: context.taskId }, { environment: params.environment, outcome: 'nothing-to-deploy' });
    this.logger.log({ msg: 'nothing to deploy', taskId: context.taskId, environment: params.environment });
    return { environment: params.environment, outcome: 'nothing-to-deploy', summary: `empty patch: ${params.environment} unchanged` };
  }
}
