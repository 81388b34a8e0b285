// What one improvement run (generate → validate → deploy) ended with, in one
// line for the start-up summary: "landed <sha> on <branch>" only when the
// deploy task says a commit landed; otherwise "not deployed: <why>".

const clip = (text, max = 160) => {
  const line = String(text ?? '').replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
};

/** The deploy task's word that a commit landed (`landed`, or `deployed` from a deployer before that field). */
export function landedCommit(deployOutput) {
  if (!deployOutput) return null;
  const landed = deployOutput.landed ?? deployOutput.outcome === 'deployed';
  const commit = deployOutput.commit ?? deployOutput.revision;
  return landed && commit ? { commit, branch: deployOutput.branch ?? deployOutput.environment } : null;
}

/** Why nothing landed, from the latest round that ran. */
function whyNotDeployed(run) {
  const node = (id) => run.nodes.find((n) => n.nodeId === id);
  const deploy = node('deploy');
  if (deploy?.status === 'SUCCESS') {
    const out = deploy.output ?? {};
    return out.outcome === 'nothing-to-deploy' ? 'the change was empty' : `${out.outcome ?? 'unknown outcome'}: ${clip(out.summary)}`;
  }
  if (deploy?.status === 'FAILED') return `deploy failed: ${clip(deploy.error ?? deploy.reason)}`;
  for (const round of [3, 2, 1]) {
    const generate = node(`generate_${round}`);
    const validate = node(`validate_${round}`);
    if (generate?.status === 'FAILED') return `generation failed (round ${round}): ${clip(generate.error ?? generate.reason)}`;
    if (validate?.status === 'FAILED' && !validate.output) return `validation failed to run (round ${round}): ${clip(validate.error ?? validate.reason)}`;
    if (!validate?.output) continue;
    if (generate?.output?.outcome === 'no-change') return `the generator (${generate.output.generator}) had nothing to change`;
    const { verdict, stages = [], feedback = [] } = validate.output;
    if (verdict === 'failed') return `validation failed after ${round} round(s): ${clip(feedback[0] ?? stages.find((s) => s.status === 'failed')?.summary)}`;
    if (verdict === 'cannot-validate') return `cannot validate: ${clip(stages.find((s) => s.cannotValidate)?.summary ?? 'a required stage could not judge the change')}`;
    if (verdict === 'nothing-to-validate') return 'the change was empty';
    break;
  }
  if (deploy?.reason) return clip(deploy.reason);
  return `the improvement run is ${run.status}`;
}

/** `{ landed: { commit, branch } | null, text }` for one finished (or timed-out) improvement run. */
export function improvementOutcome(run) {
  const deploy = run.nodes.find((n) => n.nodeId === 'deploy');
  const landed = deploy?.status === 'SUCCESS' ? landedCommit(deploy.output) : null;
  if (landed) return { landed, text: `landed ${landed.commit.slice(0, 12)} on ${landed.branch}` };
  return { landed: null, text: `not deployed: ${whyNotDeployed(run)}` };
}
