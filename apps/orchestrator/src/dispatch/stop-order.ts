import type { TaskRecord } from '../tasks/task.model';

/** An outbox record telling the worker of the task's current attempt to stop it. */
export function stopOrder(task: Pick<TaskRecord, 'id' | 'attempt' | 'workerId'>, reason: string): string {
  return JSON.stringify({ kind: 'control', taskId: task.id, attempt: task.attempt, workerId: task.workerId, reason: reason.slice(0, 500) });
}
