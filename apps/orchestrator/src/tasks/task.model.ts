import type {
  DeploymentCompleted,
  ErrorInfo,
  GenerationCompleted,
  Opportunity,
  TaskPriority,
  TaskStage,
  TaskState,
  ValidationCompleted,
} from '@autocode/contracts';

export interface TaskProgressSnapshot {
  percent: number;
  message: string;
  nodeId: string;
  stage: TaskStage;
  at: string;
}

/** A task as the orchestrator stores it in Redis and shows it over REST. */
export interface TaskRecord {
  id: string;
  type: string;
  title: string;
  priority: TaskPriority;
  state: TaskState;
  attempt: number;
  maxAttempts: number;
  repository: string;
  commit: string;
  environment: string;
  triggerId: string;
  opportunity: Opportunity;
  /** Where a RUNNING task is in generate → validate → deploy. */
  stage: TaskStage | null;
  createdAt: string;
  updatedAt: string;
  deadline: string | null;
  progress: TaskProgressSnapshot | null;
  generation: GenerationCompleted | null;
  validation: ValidationCompleted | null;
  deployment: DeploymentCompleted | null;
  error: ErrorInfo | null;
}

/** Fields stored as JSON strings in the task hash. */
export const JSON_FIELDS = ['opportunity', 'progress', 'generation', 'validation', 'deployment', 'error'] as const;

export class TaskNotFoundError extends Error {
  constructor(readonly taskId: string) {
    super(`task ${taskId} not found`);
    this.name = 'TaskNotFoundError';
  }
}

/** A result or report for an attempt that is no longer the current one. */
export class StaleAttemptError extends Error {
  constructor(
    readonly taskId: string,
    readonly attempt: number,
    readonly currentAttempt: number,
  ) {
    super(`task ${taskId}: attempt ${attempt} is stale (current attempt is ${currentAttempt})`);
    this.name = 'StaleAttemptError';
  }
}
