import { leaseHashOf, newLeaseToken, type TaskState } from '@autocode/contracts';
import { UNSET_TASK_FIELDS, type TaskRecord } from '../tasks/task.model';
import type { LeasedTask } from '../tasks/task.repository';
import { admitReport, type ReportClaim } from './report-admission';

const token = newLeaseToken();
const leased = (state: TaskState, overrides: Partial<TaskRecord> = {}, lease: LeasedTask['lease'] = { attempt: 3, hash: leaseHashOf(token) }): LeasedTask => ({
  task: {
    ...UNSET_TASK_FIELDS,
    id: 'tsk_lease0001',
    type: 'sleep',
    pool: 'generation',
    priority: 'MEDIUM',
    state,
    attempt: 3,
    failures: 0,
    retry: { maxRetries: 3, initialDelayMs: 0, factor: 1, maxDelayMs: 0, jitter: false },
    timeLimitMs: 60_000,
    params: {},
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    workerId: 'gen-a',
    ...overrides,
  },
  lease,
});
const report = (overrides: Partial<ReportClaim> = {}): ReportClaim => ({ taskId: 'tsk_lease0001', attempt: 3, workerId: 'gen-a', leaseToken: token, outcome: 'succeeded', ...overrides });

describe('which reports may change a task', () => {
  it('accepts the current attempt from its worker with its lease, while the task runs', () => {
    expect(admitReport(leased('RUNNING'), report(), 'task.result')).toEqual({ kind: 'accept' });
    expect(admitReport(leased('SCHEDULED'), report({ outcome: undefined }), 'task.progress')).toEqual({ kind: 'accept' });
  });

  it('lets any holder of the lease hand the task back (a worker that got it after a rebalance), but not once it runs', () => {
    expect(admitReport(leased('SCHEDULED'), report({ workerId: 'gen-b', outcome: 'rejected' }), 'task.result')).toEqual({ kind: 'accept' });
    expect(admitReport(leased('RUNNING'), report({ workerId: 'gen-b', outcome: 'rejected' }), 'task.result')).toEqual({ kind: 'duplicate' });
  });

  it('ignores an authentic report that was already counted', () => {
    expect(admitReport(leased('COMPLETED'), report(), 'task.result')).toEqual({ kind: 'duplicate' });
    expect(admitReport(leased('FAILED'), report({ outcome: undefined }), 'task.progress')).toEqual({ kind: 'duplicate' });
  });

  it.each([
    ['a wrong lease token', leased('RUNNING'), report({ leaseToken: newLeaseToken() }), "its lease token is not the one this attempt was handed out with"],
    ['the lease from another worker', leased('RUNNING'), report({ workerId: 'gen-evil' }), 'the attempt was handed to gen-a, not to gen-evil'],
    ['an attempt beyond the current one', leased('RUNNING'), report({ attempt: 9999 }), 'that attempt was never handed out (the task is on attempt 3)'],
    ['a superseded attempt', leased('RUNNING'), report({ attempt: 2 }), 'that attempt is over (the task is on attempt 3); a late report changes nothing'],
    ['an attempt not yet dispatched', leased('QUEUED', {}, { attempt: 2, hash: leaseHashOf(token) }), report(), 'that attempt has not been handed to any worker'],
    ['a task never dispatched', leased('QUEUED', { workerId: null }, null), report(), 'that attempt has not been handed to any worker'],
    ['an unknown task', null, report(), 'no such task'],
  ])('refuses %s, naming why', (_label, task, claim, why) => {
    const verdict = admitReport(task, claim, 'task.result');
    expect(verdict.kind).toBe('refuse');
    expect(verdict.kind === 'refuse' && verdict.reason).toBe(`refused task.result for tsk_lease0001 attempt ${claim.attempt} from ${claim.workerId}: ${why}`);
  });
});
