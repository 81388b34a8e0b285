import type { RolloutRun, RolloutStrategy, Verdict } from '../deployment/rollout-run';
import { DirectStrategy } from './direct.strategy';

/**
 * The change ships dark: deployed like `direct`, behind a flag stored in
 * Redis (off unless the environment says otherwise). The hook learns the
 * flag's name and the URL its state is served at, and hands them to the
 * service; operators turn it on with PUT /api/flags/:name.
 */
export class FeatureFlagStrategy implements RolloutStrategy {
  private readonly direct = new DirectStrategy((run) => this.flagEnv(run));

  async deploy(run: RolloutRun): Promise<Verdict> {
    const { flags } = run.deps;
    const name = run.env.featureFlag.name ?? `deploy-${run.record.id}`;
    const now = new Date().toISOString();
    let flag = await flags.createOrGet({
      name,
      enabled: run.env.featureFlag.enabled,
      environment: run.record.environment,
      deploymentId: run.record.id,
      description: run.record.title,
      ...(run.record.notify ? { notify: run.record.notify } : {}),
      createdAt: now,
      updatedAt: now,
      updatedBy: 'deployer',
    });
    if (flag.deploymentId !== run.record.id) flag = await flags.reassign(name, run.record.id, run.env.featureFlag.enabled, run.record.title, 'deployer');
    await run.save({ featureFlag: { name, enabled: flag.enabled } }, { action: 'flag', detail: `${name} is ${flag.enabled ? 'on' : 'off'}` });
    return this.direct.deploy(run);
  }

  restore(run: RolloutRun, revertRevision: string): Promise<Verdict> {
    return this.direct.restore(run, revertRevision);
  }

  private flagEnv(run: RolloutRun): Record<string, string> {
    const name = run.record.featureFlag?.name;
    if (!name) return {};
    return { AUTOCODE_FEATURE_FLAG: name, AUTOCODE_FEATURE_FLAG_URL: `${run.deps.publicUrl}/api/flags/${encodeURIComponent(name)}/state` };
  }
}
