import type { HealthCheckResult, HealthIndicator } from '@autocode/runtime';
import type { Sandbox } from './sandbox';

/**
 * Reports which isolation the sandbox uses, so `/health/ready` says plainly
 * whether generated code runs under an OS sandbox. Not critical: without
 * bubblewrap the service still works, with weaker isolation (see README).
 */
export class SandboxHealthIndicator implements HealthIndicator {
  readonly name = 'sandbox';
  readonly critical = false;

  constructor(private readonly sandbox: Sandbox) {}

  async check(): Promise<HealthCheckResult> {
    const { isolation, osSandbox, detail } = this.sandbox.status;
    return { status: 'up', details: { isolation, osSandbox, detail } };
  }
}
