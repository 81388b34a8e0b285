import type { CanaryStepReport } from '../deployment/deployment.model';
import type { RolloutRun, RolloutStrategy, Verdict } from '../deployment/rollout-run';
import { sleep } from '../deployment/sleep';
import { readGate, type GateReading } from './canary-gate';
import { DirectStrategy } from './direct.strategy';

/**
 * Stepwise: for each traffic weight the hook shifts traffic
 * (AUTOCODE_CANARY_WEIGHT), the health checks run, then the step is watched
 * for `observe`, its gate read from InfluxDB every `check_interval`. A
 * tripped gate aborts at once and the deployment rolls back (the hook hears
 * weight 0).
 */
export class CanaryStrategy implements RolloutStrategy {
  private readonly restoreDirect = new DirectStrategy(() => ({ AUTOCODE_CANARY_WEIGHT: '0' }));

  async deploy(run: RolloutRun): Promise<Verdict> {
    const canary = run.env.canary;
    const steps: CanaryStepReport[] = [];
    for (const [index, weight] of canary.steps.entries()) {
      const label = `canary step ${index + 1}/${canary.steps.length} (${weight} %)`;
      const startedAt = Date.now();
      const step: CanaryStepReport = { weight, startedAt: new Date(startedAt).toISOString(), verdict: 'running', requests: 0, errorRate: null, latencyP95Ms: null };
      steps.push(step);
      await run.save({ canary: { steps } }, { action: 'canary-step', detail: `${label} starts` });
      await run.progress(40 + Math.round((index / canary.steps.length) * 40), label);

      const hookFailure = await run.hook('canary', run.revision, {
        AUTOCODE_CANARY_WEIGHT: String(weight),
        AUTOCODE_CANARY_STEP: String(index + 1),
        AUTOCODE_CANARY_STEPS: String(canary.steps.length),
      });
      if (hookFailure) return this.stop(run, steps, step, `${label}: hook failed: ${hookFailure}`);
      const healthFailure = await run.checkHealth(run.env.url, run.revision);
      if (healthFailure) return this.stop(run, steps, step, `${label}: health check failed: ${healthFailure}`);

      const reading = await this.watch(run, step, startedAt);
      run.deps.metrics.record(
        'deployment_canary_step',
        { weight, requests: step.requests, error_rate: step.errorRate ?? -1, latency_p95_ms: step.latencyP95Ms ?? -1, deployment_id: run.record.id },
        { environment: run.record.environment, verdict: reading.verdict },
      );
      if (reading.verdict !== 'passed') return this.stop(run, steps, step, `${label}: ${reading.reason ?? 'gate failed'}`);
      step.verdict = 'passed';
      await run.save({ canary: { steps } }, { action: 'canary-step', detail: `${label} passed: ${step.requests} requests, error rate ${step.errorRate ?? 'n/a'}` });
    }
    return { ok: true };
  }

  restore(run: RolloutRun, revertRevision: string): Promise<Verdict> {
    return this.restoreDirect.restore(run, revertRevision);
  }

  /** Reads the gate until the step's observation time is over or it trips; metrics that cannot be read count against the step only at its end. */
  private async watch(run: RolloutRun, step: CanaryStepReport, startedAt: number): Promise<GateReading> {
    const { observeMs, checkIntervalMs, gate } = run.env.canary;
    const endsAt = startedAt + observeMs;
    let unreadable: string | undefined;
    for (;;) {
      const over = Date.now() >= endsAt;
      try {
        const measured = await run.deps.canaryMetrics.measure(gate, run.record.environment, run.revision, startedAt);
        unreadable = undefined;
        const reading = readGate(measured, gate, over);
        Object.assign(step, { requests: measured.requests, errorRate: reading.errorRate, latencyP95Ms: measured.latencyP95Ms });
        if (reading.verdict !== 'watching') return reading;
      } catch (error) {
        unreadable = (error as Error).message;
        if (over) return { verdict: 'failed', errorRate: null, reason: `canary metrics could not be read: ${unreadable}` };
      }
      await sleep(Math.max(0, Math.min(checkIntervalMs, endsAt - Date.now())) || 50, run.abortSignal);
    }
  }

  private async stop(run: RolloutRun, steps: CanaryStepReport[], step: CanaryStepReport, reason: string): Promise<Verdict> {
    step.verdict = 'failed';
    step.reason = reason;
    await run.save({ canary: { steps } }, { action: 'canary-aborted', detail: reason });
    return { ok: false, reason: `canary aborted at ${reason}` };
  }
}
