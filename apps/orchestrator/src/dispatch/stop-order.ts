import type { TaskRecord } from '../tasks/task.model';
import type { TaskLease } from '../tasks/task.repository';

/**
 * Outbox records telling the worker of the task's current attempt to stop
 * it: none if that attempt was never handed out. The order carries the
 * hash of the attempt's lease, which the worker checks against the token
 * it holds, so only the orchestrator can stop a worker's task.
 */
export function stopOrders(task: Pick<TaskRecord, 'id' | 'attempt' | 'workerId'>, lease: TaskLease | null, reason: string): string[] {
  if (!task.workerId || !lease || lease.attempt !== task.attempt) return [];
  return [JSON.stringify({ kind: 'control', taskId: task.id, attempt: task.attempt, workerId: task.workerId, leaseHash: lease.hash, reason: reason.slice(0, 500) })];
}
