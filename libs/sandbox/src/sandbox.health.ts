import type { HealthCheckResult, HealthIndicator } from '@autocode/runtime';
import type { Sandbox } from './sandbox';

/**
 * Reports whether repository code runs under an OS sandbox, so
 * `/health/ready` says it plainly: `up` with bubblewrap, `degraded` when
 * runs happen without it (`SANDBOX_MODE=unsafe-rlimits`), `down` when runs
 * are refused (no usable bubblewrap). Not critical: the service's other
 * work goes on, and every run it would refuse fails with the reason.
 */
export class SandboxHealthIndicator implements HealthIndicator {
  readonly name = 'sandbox';
  readonly critical = false;

  constructor(private readonly sandbox: Sandbox) {}

  async check(): Promise<HealthCheckResult> {
    const { isolation, osSandbox, runsAllowed, unsafe, detail } = this.sandbox.status;
    const details = { isolation, osSandbox, runsAllowed, unsafe, detail };
    if (osSandbox) return { status: 'up', details };
    if (unsafe) return { status: 'degraded', details, error: 'repository code runs without an OS sandbox (SANDBOX_MODE=unsafe-rlimits)' };
    return { status: 'down', details, error: `repository code is refused: ${detail}` };
  }
}
