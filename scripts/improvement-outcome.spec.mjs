// node --test scripts/improvement-outcome.spec.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { improvementOutcome } from './improvement-outcome.mjs';

const sha = 'c0ffee'.padEnd(40, '0');
const run = (nodes, status = 'SUCCESS') => ({ status, nodes });
const validate = (round, output, status = 'SUCCESS') => ({ nodeId: `validate_${round}`, status, output });
const generate = (round, outcome = 'patch') => ({ nodeId: `generate_${round}`, status: 'SUCCESS', output: { generator: 'doc-comments', outcome } });

test('a landed commit is the only "landed"', () => {
  const out = improvementOutcome(
    run([generate(1), validate(1, { verdict: 'passed', stages: [] }), { nodeId: 'deploy', status: 'SUCCESS', taskId: 'tsk_1', output: { outcome: 'deployed', landed: true, commit: sha, branch: 'develop', environment: 'staging' } }]),
  );
  assert.deepEqual(out, { landed: { commit: sha, branch: 'develop' }, text: `landed ${sha.slice(0, 12)} on develop` });
});

test('an empty change that "succeeded" in deploy is not deployed', () => {
  const out = improvementOutcome(
    run([generate(1, 'no-change'), validate(1, { verdict: 'nothing-to-validate', stages: [] }), { nodeId: 'deploy', status: 'SUCCESS', output: { outcome: 'nothing-to-deploy', landed: false, environment: 'staging', summary: 'empty patch' } }]),
  );
  assert.deepEqual(out, { landed: null, text: 'not deployed: the change was empty' });
});

test('refused, rolled back: the outcome and the deployer\'s summary', () => {
  const out = improvementOutcome(run([{ nodeId: 'deploy', status: 'SUCCESS', output: { outcome: 'rolled-back', landed: false, revision: sha, summary: 'rolled back on staging: health check failed' } }]));
  assert.equal(out.landed, null);
  assert.equal(out.text, 'not deployed: rolled-back: rolled back on staging: health check failed');
});

test('a skipped deploy says why from the latest round that ran', () => {
  const failed = improvementOutcome(
    run(
      [
        generate(1),
        validate(1, { verdict: 'failed', stages: [], feedback: ['repository-checks: test passed before the change and fails with it'] }),
        generate(2),
        validate(2, { verdict: 'failed', stages: [{ name: 'security', status: 'failed', summary: 'eval added' }], feedback: [] }),
        { nodeId: 'generate_3', status: 'SKIPPED' },
        { nodeId: 'validate_3', status: 'SKIPPED' },
        { nodeId: 'deploy', status: 'SKIPPED', reason: 'its condition did not hold' },
      ],
      'FAILED',
    ),
  );
  assert.equal(failed.text, 'not deployed: validation failed after 2 round(s): eval added');
  const cannot = improvementOutcome(
    run([generate(1), validate(1, { verdict: 'cannot-validate', stages: [{ name: 'repository-checks', status: 'skipped', cannotValidate: true, summary: 'dependencies do not install' }] }), { nodeId: 'deploy', status: 'SKIPPED' }]),
  );
  assert.equal(cannot.text, 'not deployed: cannot validate: dependencies do not install');
  const noChange = improvementOutcome(run([generate(1, 'no-change'), validate(1, { verdict: 'nothing-to-validate', stages: [] }), { nodeId: 'deploy', status: 'SKIPPED' }]));
  assert.equal(noChange.text, 'not deployed: the generator (doc-comments) had nothing to change');
});

test('a failed deploy task or an unfinished run is not deployed', () => {
  assert.equal(improvementOutcome(run([{ nodeId: 'deploy', status: 'FAILED', error: 'deployment dep_1 to staging failed: conflict' }])).text, 'not deployed: deploy failed: deployment dep_1 to staging failed: conflict');
  assert.equal(improvementOutcome(run([{ nodeId: 'generate_1', status: 'RUNNING' }], 'RUNNING')).text, 'not deployed: the improvement run is RUNNING');
});
