import type { RolloutRun, RolloutStrategy, Verdict } from '../deployment/rollout-run';

type Slot = 'blue' | 'green';

/**
 * Two slots: the hook deploys the revision to the idle one
 * (AUTOCODE_SLOT, AUTOCODE_SLOT_URL), its health checks must pass there,
 * and only then does the hook switch traffic (AUTOCODE_ACTION=switch). The
 * old slot keeps running, so a rollback is a switch back.
 */
export class BlueGreenStrategy implements RolloutStrategy {
  async deploy(run: RolloutRun): Promise<Verdict> {
    const slots = run.env.blueGreen!.slots;
    const state = await run.deps.records.environmentState(run.record.repositoryKey, run.record.environment);
    const active: Slot | null = state?.activeSlot ?? null;
    const idle: Slot = active === 'blue' ? 'green' : 'blue';
    await run.save({ blueGreen: { slot: idle, previousSlot: active, switched: false } }, { action: 'blue-green', detail: `deploying to idle slot ${idle}; ${active ?? 'no slot'} is live` });

    const slotEnv = { AUTOCODE_SLOT: idle, AUTOCODE_SLOT_URL: slots[idle].url, AUTOCODE_ACTIVE_SLOT: active ?? '' };
    const hookFailure = await run.hook('deploy', run.revision, slotEnv);
    if (hookFailure) return { ok: false, reason: `deploy hook failed on slot ${idle}: ${hookFailure}; traffic stays on ${active ?? 'nothing'}` };
    const idleFailure = await run.checkHealth(slots[idle].url, run.revision, `${idle}-health`);
    if (idleFailure) return { ok: false, reason: `slot ${idle} failed its health check: ${idleFailure}; traffic stays on ${active ?? 'nothing'}` };

    const switchFailure = await run.hook('switch', run.revision, { ...slotEnv, AUTOCODE_PREVIOUS_SLOT: active ?? '' });
    // A switch that failed half-way may have moved some traffic: treat it as switched, so the rollback switches back.
    await run.save({ blueGreen: { slot: idle, previousSlot: active, switched: true } }, { action: 'switched', detail: `traffic → ${idle}${switchFailure ? ` (hook failed: ${switchFailure})` : ''}` });
    await this.recordActive(run, idle, run.revision);
    if (switchFailure) return { ok: false, reason: `switch to ${idle} failed: ${switchFailure}` };
    if (run.env.url) {
      const liveFailure = await run.checkHealth(run.env.url, run.revision, 'live-health');
      if (liveFailure) return { ok: false, reason: `after switching to ${idle}: ${liveFailure}` };
    }
    return { ok: true };
  }

  async restore(run: RolloutRun, revertRevision: string): Promise<Verdict> {
    const bg = run.record.blueGreen;
    if (!bg?.switched) return { ok: true }; // traffic never left the old slot: the revert on the branch is all there is to undo
    const state = await run.deps.records.environmentState(run.record.repositoryKey, run.record.environment);
    if (!bg.previousSlot) {
      // The first blue-green deployment has no old slot to go back to: redeploy the revert in place.
      const failure = await run.hook('rollback', revertRevision, { AUTOCODE_SLOT: bg.slot, AUTOCODE_SLOT_URL: run.env.blueGreen!.slots[bg.slot].url, AUTOCODE_ROLLBACK_OF: run.revision });
      return failure ? { ok: false, reason: `rollback hook failed: ${failure}` } : { ok: true };
    }
    const oldRevision = state?.slots?.[bg.previousSlot] ?? revertRevision;
    const failure = await run.hook('switch', oldRevision, {
      AUTOCODE_SLOT: bg.previousSlot,
      AUTOCODE_SLOT_URL: run.env.blueGreen!.slots[bg.previousSlot].url,
      AUTOCODE_PREVIOUS_SLOT: bg.slot,
      AUTOCODE_ROLLBACK_OF: run.revision,
    });
    if (failure) return { ok: false, reason: `switching back to ${bg.previousSlot} failed: ${failure}` };
    await run.save({ blueGreen: { ...bg, switched: false } }, { action: 'switched', detail: `traffic → ${bg.previousSlot} (rollback)` });
    await this.recordActive(run, bg.previousSlot, oldRevision);
    if (run.env.url) {
      const liveFailure = await run.checkHealth(run.env.url, oldRevision, 'rollback-health');
      if (liveFailure) return { ok: false, reason: `after switching back to ${bg.previousSlot}: ${liveFailure}` };
    }
    return { ok: true };
  }

  private async recordActive(run: RolloutRun, slot: Slot, revision: string): Promise<void> {
    const { records } = run.deps;
    const r = run.record;
    const state = await records.environmentState(r.repositoryKey, r.environment);
    await records.saveEnvironmentState(r.repositoryKey, {
      repository: r.repository,
      environment: r.environment,
      branch: r.branch!,
      revision: state?.revision ?? revision,
      deploymentId: state?.deploymentId ?? r.id,
      updatedAt: new Date().toISOString(),
      activeSlot: slot,
      slots: { ...state?.slots, [slot]: revision },
    });
  }
}
