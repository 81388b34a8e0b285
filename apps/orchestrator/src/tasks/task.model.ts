import type {
  ErrorInfo,
  JsonObject,
  JsonValue,
  RetryPolicy,
  TaskPriority,
  TaskState,
  WorkerPool,
} from '@autocode/contracts';

export interface TaskProgressSnapshot {
  percent: number;
  message: string;
  workerId: string;
  at: string;
}

/** A task as the orchestrator stores it in Redis and shows it over REST. */
export interface TaskRecord {
  id: string;
  type: string;
  pool: WorkerPool;
  priority: TaskPriority;
  state: TaskState;
  /** The number of the current (or next) execution; a report for another number is stale. */
  attempt: number;
  /** Executions that ended in failure (errors, time limits, lost workers). */
  failures: number;
  retry: RetryPolicy;
  timeLimitMs: number;
  params: JsonObject;
  /** Groups the tasks of one trigger, workflow run or caller-defined batch. */
  correlationId: string | null;
  /** The task whose outcome led to this one, when there is one. */
  parentId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Not dispatched before this time. */
  scheduledFor: string | null;
  /** Score in the ready queue: enqueue time plus the priority's aging offset. */
  queueScore: number | null;
  workerId: string | null;
  deadline: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  progress: TaskProgressSnapshot | null;
  checkpoint: JsonValue | null;
  output: JsonValue | null;
  error: ErrorInfo | null;
  /** Retry not before (RETRYING). */
  retryAt: string | null;
}

/** The fields a task has no value for until something happens to it. */
export const UNSET_TASK_FIELDS = {
  correlationId: null,
  parentId: null,
  scheduledFor: null,
  queueScore: null,
  workerId: null,
  deadline: null,
  startedAt: null,
  finishedAt: null,
  progress: null,
  checkpoint: null,
  output: null,
  error: null,
  retryAt: null,
} as const satisfies Partial<TaskRecord>;

/** Stored as JSON in the hash. */
export const JSON_FIELDS = ['params', 'progress', 'checkpoint', 'output', 'error'] as const;
export const NUMBER_FIELDS = ['attempt', 'failures', 'timeLimitMs', 'queueScore'] as const;

export class TaskNotFoundError extends Error {
  readonly httpStatus = 404;
  constructor(readonly taskId: string) {
    super(`task ${taskId} not found`);
    this.name = 'TaskNotFoundError';
  }
}

/** A result or report for an attempt that is no longer the current one. */
export class StaleAttemptError extends Error {
  readonly httpStatus = 409;
  constructor(
    readonly taskId: string,
    readonly attempt: number,
    readonly currentAttempt: number,
  ) {
    super(`task ${taskId}: attempt ${attempt} is stale (current attempt is ${currentAttempt})`);
    this.name = 'StaleAttemptError';
  }
}
