import { NonRetryableTaskError } from '@autocode/worker';
import type { DeploymentRecord } from './deployment.model';
import { outputOf } from './deployment-output';

const record = (overrides: Partial<DeploymentRecord>): DeploymentRecord => ({
  id: 'dep_x1y2z3',
  taskId: 'tsk_x1y2z3',
  repository: '/repo',
  repositoryKey: 'abc',
  environment: 'staging',
  strategy: 'direct',
  title: 'A change',
  baseCommit: 'a'.repeat(40),
  changeId: 'c'.repeat(64),
  patch: { filesChanged: 1, insertions: 1, deletions: 0 },
  status: 'deployed',
  version: 3,
  branch: 'release/1',
  remote: '/remote.git',
  previousRevision: 'b'.repeat(40),
  revision: 'd'.repeat(40),
  approval: { required: true, decision: 'approved', decidedBy: 'ops' },
  reason: null,
  createdAt: '2026-11-21T00:00:00.000Z',
  updatedAt: '2026-11-21T00:00:00.000Z',
  finishedAt: '2026-11-21T00:00:00.000Z',
  audit: [],
  ...overrides,
});

describe('outputOf', () => {
  it('reports a deployment with its revision, branch and approver', () => {
    expect(outputOf(record({}))).toMatchObject({ outcome: 'deployed', landed: true, commit: 'd'.repeat(40), revision: 'd'.repeat(40), previousRevision: 'b'.repeat(40), branch: 'release/1', approvedBy: 'ops' });
  });

  it('reports a rollback with the revert as the revision and the reason', () => {
    const output = outputOf(record({ status: 'rolled-back', rollback: { reason: 'health', attempts: 1, revision: 'e'.repeat(40) }, reason: 'health check failed' }));
    expect(output).toMatchObject({ outcome: 'rolled-back', landed: false, revision: 'e'.repeat(40), summary: 'rolled back on staging: health check failed' });
  });

  it('passes decisions through as outcomes', () => {
    expect(outputOf(record({ status: 'refused', reason: 'soak' }))).toMatchObject({ outcome: 'refused', landed: false, summary: 'soak' });
    expect(outputOf(record({ status: 'refused', reason: 'soak' }))).not.toHaveProperty('commit');
    expect(outputOf(record({ status: 'expired', approval: { required: true, decision: 'expired' }, reason: 'late' }))).not.toHaveProperty('approvedBy');
  });

  it('fails the task when the environment was left broken', () => {
    expect(() => outputOf(record({ status: 'rollback-failed', reason: 'hook failed twice' }))).toThrow(NonRetryableTaskError);
    expect(() => outputOf(record({ status: 'failed', reason: 'manual rollback' }))).toThrow(/deployment dep_x1y2z3 to staging failed: manual rollback/);
  });
});
