import type { RolloutRun, RolloutStrategy, Verdict } from '../deployment/rollout-run';

/** The hook deploys the revision; the environment's health checks must pass. */
export class DirectStrategy implements RolloutStrategy {
  constructor(private readonly extraEnv: (run: RolloutRun) => Record<string, string> = () => ({})) {}

  async deploy(run: RolloutRun): Promise<Verdict> {
    const hookFailure = await run.hook('deploy', run.revision, this.extraEnv(run));
    if (hookFailure) return { ok: false, reason: `deploy hook failed: ${hookFailure}` };
    const healthFailure = await run.checkHealth(run.env.url, run.revision);
    if (healthFailure) return { ok: false, reason: `health check failed: ${healthFailure}` };
    return { ok: true };
  }

  async restore(run: RolloutRun, revertRevision: string): Promise<Verdict> {
    const hookFailure = await run.hook('rollback', revertRevision, {
      ...this.extraEnv(run),
      AUTOCODE_ROLLBACK_OF: run.revision,
      AUTOCODE_RESTORED_REVISION: run.record.previousRevision ?? '',
    });
    if (hookFailure) return { ok: false, reason: `rollback hook failed: ${hookFailure}` };
    const healthFailure = await run.checkHealth(run.env.url, revertRevision, 'rollback-health');
    if (healthFailure) return { ok: false, reason: `health check after rollback failed: ${healthFailure}` };
    return { ok: true };
  }
}
