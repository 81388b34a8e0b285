import { leaseMatches, type TaskState } from '@autocode/contracts';
import type { LeasedTask } from '../tasks/task.repository';

/** What a worker's report claims about who sent it. */
export interface ReportClaim {
  taskId: string;
  attempt: number;
  workerId: string;
  leaseToken: string;
  /** Only a result has one; `rejected` hands the task back without running it. */
  outcome?: string;
}

/**
 * `accept`: counts (the task changes). `duplicate`: an authentic report of
 * the current attempt that was already counted (a redelivery, progress
 * read after the result): nothing to do. `refuse`: not from the holder of
 * the attempt's lease, or about an attempt that is not current; it is
 * dead-lettered with the reason and changes nothing.
 */
export type ReportVerdict = { kind: 'accept' } | { kind: 'duplicate' } | { kind: 'refuse'; reason: string };

const EXECUTING: readonly TaskState[] = ['SCHEDULED', 'RUNNING'];

/**
 * Decides whether a report may change its task. Pure: the repository
 * checks the same lease again, atomically with the change (APPLY_MUTATION).
 */
export function admitReport(leased: LeasedTask | null, report: ReportClaim, what: string): ReportVerdict {
  const refuse = (why: string): ReportVerdict => ({ kind: 'refuse', reason: `refused ${what} for ${report.taskId} attempt ${report.attempt} from ${report.workerId}: ${why}` });
  if (!leased) return refuse('no such task');
  const { task, lease } = leased;
  if (report.attempt > task.attempt) return refuse(`that attempt was never handed out (the task is on attempt ${task.attempt})`);
  if (report.attempt < task.attempt) return refuse(`that attempt is over (the task is on attempt ${task.attempt}); a late report changes nothing`);
  if (!lease || lease.attempt !== report.attempt) return refuse('that attempt has not been handed to any worker');
  if (!leaseMatches(report.leaseToken, lease.hash)) return refuse('its lease token is not the one this attempt was handed out with');
  // A worker that got the assignment after a rebalance hands it back with the lease it read; everything else comes from the assignee.
  if (report.outcome !== 'rejected' && report.workerId !== task.workerId) {
    return refuse(`the attempt was handed to ${task.workerId ?? 'nobody'}, not to ${report.workerId}`);
  }
  // Handed back by a worker that got it after a rebalance, while the assignee already runs it: nothing to undo.
  if (report.outcome === 'rejected' && task.state === 'RUNNING') return { kind: 'duplicate' };
  return EXECUTING.includes(task.state) ? { kind: 'accept' } : { kind: 'duplicate' };
}
