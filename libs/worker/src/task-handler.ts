import type { JsonValue, TaskTypeDescriptor } from '@autocode/contracts';

export interface TaskContext {
  readonly taskId: string;
  readonly attempt: number;
  readonly workerId: string;
  readonly deadline: Date;
  /** The last checkpoint an earlier attempt reported; resume from here. */
  readonly checkpoint: JsonValue | null;
  /** Aborted when the orchestrator stops the task or its time limit passes. */
  readonly signal: AbortSignal;
  /** Reports progress (throttled); a checkpoint is always sent and kept for a retry. */
  progress(percent: number, message: string, checkpoint?: JsonValue): Promise<void>;
}

/** A failure that retrying cannot fix (bad params, a repository that does not exist …). */
export class NonRetryableTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryableTaskError';
  }
}

/**
 * One task type a worker runs. `parse` turns raw params into typed ones and
 * throws on bad input (reported as a non-retryable failure); the output must
 * be JSON.
 */
export interface TaskHandler<P = unknown, O extends JsonValue = JsonValue> {
  readonly descriptor: Omit<TaskTypeDescriptor, 'pool'>;
  parse(params: unknown): P;
  run(params: P, context: TaskContext): Promise<O>;
}
