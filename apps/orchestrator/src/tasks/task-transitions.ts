import {
  assertTransition,
  MAX_TASK_ATTEMPTS,
  priorityRank,
  type TaskState,
  type TaskTransition,
} from '@autocode/contracts';
import { encodeTaskFields } from './task-codec';
import type { TaskKeys } from './task-keys';
import type { TaskRecord } from './task.model';

export interface TransitionStep {
  to: TaskState;
  actor: string;
  source: string;
  reason: string;
}

/** The task has used every attempt number there is (MAX_TASK_ATTEMPTS); it can only fail or be cancelled. */
export class AttemptLimitError extends Error {
  readonly httpStatus = 409;
  constructor(readonly taskId: string) {
    super(`task ${taskId} has reached the limit of ${MAX_TASK_ATTEMPTS} attempts; it cannot be queued again`);
    this.name = 'AttemptLimitError';
  }
}

/** What the apply script executes; see APPLY_MUTATION. */
export interface TaskMutation {
  expectAbsent?: true;
  expectState?: TaskState;
  expectAttempt?: number;
  /** A worker's report: the hash of the lease it holds and its id, checked atomically with the change. */
  expectLease?: string;
  expectWorker?: string;
  set: Record<string, string>;
  del: string[];
  history: string[];
  zadd: Array<[string, string, string]>;
  zrem: Array<[string, string]>;
  zremCounted: Array<[string, string, string, string]>;
  sadd: Array<[string, string]>;
  srem: Array<[string, string]>;
  hincr: Array<[string, string, number]>;
  expire: Array<[string, number]>;
  outbox: string[];
}

export interface PlannedTransition {
  mutation: TaskMutation;
  after: TaskRecord;
  entries: TaskTransition[];
}

const EXECUTING: readonly TaskState[] = ['SCHEDULED', 'RUNNING'];
const TERMINAL: readonly TaskState[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
const STATS_TTL_SECONDS = 2 * 3600;

export function emptyMutation(): TaskMutation {
  return { set: {}, del: [], history: [], zadd: [], zrem: [], zremCounted: [], sadd: [], srem: [], hincr: [], expire: [], outbox: [] };
}

/** Score in the ready queue: enqueue time, pushed back by the priority's rank times the aging step. */
export function queueScore(enqueuedAtMs: number, priority: TaskRecord['priority'], agingStepMs: number): number {
  return enqueuedAtMs + priorityRank(priority) * agingStepMs;
}

/**
 * Plans a chain of transitions (none: a field update) from the task's current state: checks each
 * step against the legal-transition table and works out everything that
 * moves with it (attempt and failure counts, queues, deadlines, in-flight
 * sets, indexes, statistics, audit entries and outbox records). Pure: the
 * repository applies the result atomically, if the task is still as read.
 */
export function planTransition(
  task: TaskRecord,
  steps: TransitionStep[],
  options: { keys: TaskKeys; now: Date; agingStepMs: number; changes?: Partial<TaskRecord>; failure?: boolean },
): PlannedTransition {
  const { keys, now, agingStepMs } = options;
  const nowIso = now.toISOString();
  const nowMs = now.getTime();
  const createdMs = Date.parse(task.createdAt);

  let state = task.state;
  let attempt = task.attempt;
  const entries: TaskTransition[] = [];
  for (const step of steps) {
    assertTransition(task.id, state, step.to);
    // Entering SCHEDULED means holding a worker slot: only the dispatch script assigns one.
    if (step.to === 'SCHEDULED') throw new Error(`task ${task.id}: only the dispatcher schedules tasks`);
    entries.push({ taskId: task.id, from: state, to: step.to, attempt, actor: step.actor, source: step.source, reason: step.reason.slice(0, 2000), at: nowIso });
    // An execution that ends without finishing spends its attempt number, so
    // any late report of it is recognisably stale.
    const endsExecution = EXECUTING.includes(state) && ['QUEUED', 'RETRYING', 'PAUSED'].includes(step.to);
    if (endsExecution || (state === 'FAILED' && step.to === 'QUEUED')) attempt += 1;
    // No message could name a higher attempt: such a task could never be run or reported again.
    if (attempt > MAX_TASK_ATTEMPTS) throw new AttemptLimitError(task.id);
    state = step.to;
  }
  const from = task.state;
  const to = state;

  const after: TaskRecord = { ...task, ...options.changes, state: to, attempt, updatedAt: nowIso };
  if (options.failure) after.failures = task.failures + 1;
  if (to === 'RUNNING' && !after.startedAt) after.startedAt = nowIso;
  if (TERMINAL.includes(to)) after.finishedAt = nowIso;

  const mutation = emptyMutation();
  mutation.expectState = from;
  mutation.expectAttempt = task.attempt;

  // Leave the structures of the state we start from.
  if (from === 'QUEUED') {
    mutation.zremCounted.push([keys.ready(task.pool), task.id, keys.depth(), `${task.pool}:${task.priority}`]);
    mutation.zrem.push([keys.delayed(), task.id]);
  }
  if (from === 'RETRYING') mutation.zrem.push([keys.delayed(), task.id]);
  if (EXECUTING.includes(from) && !EXECUTING.includes(to)) {
    mutation.zrem.push([keys.deadlines(), task.id]);
    if (task.workerId) mutation.srem.push([keys.inflight(task.workerId), task.id]);
    mutation.del.push('deadlineMs');
  }

  // Join the structures of the state we end in.
  if (to === 'QUEUED') {
    const dueMs = after.scheduledFor ? Date.parse(after.scheduledFor) : 0;
    if (dueMs > nowMs) {
      mutation.zadd.push([keys.delayed(), String(dueMs), task.id]);
      after.queueScore = null;
    } else {
      after.queueScore = queueScore(nowMs, task.priority, agingStepMs);
      mutation.zadd.push([keys.ready(task.pool), String(after.queueScore), task.id]);
      mutation.hincr.push([keys.depth(), `${task.pool}:${task.priority}`, 1]);
    }
  }
  if (to === 'RETRYING') {
    if (!after.retryAt) throw new Error(`task ${task.id}: RETRYING needs retryAt`);
    mutation.zadd.push([keys.delayed(), String(Date.parse(after.retryAt)), task.id]);
  }
  if (TERMINAL.includes(to)) {
    const minute = Math.floor(nowMs / 60_000);
    mutation.hincr.push([keys.stats(minute), to, 1]);
    mutation.expire.push([keys.stats(minute), STATS_TTL_SECONDS]);
  }
  if (from !== to) {
    mutation.zrem.push([keys.byState(from), task.id]);
    mutation.zadd.push([keys.byState(to), String(createdMs), task.id]);
  }

  const { set, del } = encodeTaskFields(changedFields(task, after));
  mutation.set = set;
  mutation.del.push(...del);
  for (const entry of entries) {
    const json = historyJson(entry);
    mutation.history.push(json);
    mutation.outbox.push(lifecycleRecord(task, json));
  }
  return { mutation, after, entries };
}

/**
 * Plans the creation of a task: CREATED, then at once QUEUED (ready or
 * delayed). The two audit entries are not stored as list items: they are
 * implied by the creation fields (`createdAt`, `createdBy`) and put back
 * together when the trail is read. A queued task that nothing has touched
 * yet thus costs one small hash and its index entries — the difference
 * between about 1.3 KiB and under 1 KiB of Redis per queued task.
 */
export function planCreation(
  task: TaskRecord,
  context: Omit<TransitionStep, 'to'>,
  options: { keys: TaskKeys; now: Date; agingStepMs: number },
): PlannedTransition {
  const created: TaskRecord = { ...task, state: 'CREATED' };
  // Both entries carry the creation time, which is also what the trail shows when it is read back.
  const queued = planTransition(created, [{ ...context, to: 'QUEUED', reason: queuedReason(task) }], { ...options, now: new Date(task.createdAt) });
  const createdEntry: TaskTransition = {
    taskId: task.id,
    from: null,
    to: 'CREATED',
    attempt: task.attempt,
    actor: context.actor,
    source: context.source,
    reason: context.reason.slice(0, 2000),
    at: task.createdAt,
  };
  const mutation = queued.mutation;
  delete mutation.expectState;
  delete mutation.expectAttempt;
  mutation.expectAbsent = true;
  // A new task has every field to write, not just the changed ones.
  mutation.set = encodeTaskFields(queued.after).set;
  mutation.set.createdBy = JSON.stringify([context.actor, context.source, createdEntry.reason]);
  mutation.del = [];
  mutation.history = [];
  mutation.zrem = mutation.zrem.filter(([key]) => key !== options.keys.byState('CREATED'));
  mutation.zremCounted = [];
  mutation.zadd.push([options.keys.all(), String(Date.parse(task.createdAt)), task.id]);
  mutation.outbox.unshift(lifecycleRecord(task, historyJson(createdEntry)));
  return { mutation, after: queued.after, entries: [createdEntry, ...queued.entries] };
}

function queuedReason(task: Pick<TaskRecord, 'scheduledFor'>): string {
  return task.scheduledFor ? `waiting until ${task.scheduledFor}` : 'queued';
}

/** The CREATED and QUEUED entries of a task, from its creation fields (see planCreation). */
export function creationEntries(task: Pick<TaskRecord, 'id' | 'createdAt' | 'scheduledFor'>, createdBy: string): TaskTransition[] {
  const [actor, source, reason] = JSON.parse(createdBy) as [string, string, string];
  const base = { taskId: task.id, attempt: 1, actor, source, at: task.createdAt };
  return [
    { ...base, from: null, to: 'CREATED', reason },
    { ...base, from: 'CREATED', to: 'QUEUED', reason: queuedReason(task) },
  ];
}

/** Audit entries are stored without the task id (it is in the key), to keep queued tasks small. */
function historyJson(entry: TaskTransition): string {
  const { taskId: _taskId, ...rest } = entry;
  return JSON.stringify(rest);
}

function lifecycleRecord(task: TaskRecord, entry: string): string {
  return JSON.stringify({ kind: 'lifecycle', taskId: task.id, entry, type: task.type, priority: task.priority, correlationId: task.correlationId });
}

function changedFields(before: TaskRecord, after: TaskRecord): Partial<TaskRecord> {
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(after)) {
    const previous = (before as unknown as Record<string, unknown>)[field];
    if (JSON.stringify(previous) !== JSON.stringify(value)) changed[field] = value;
  }
  return changed as Partial<TaskRecord>;
}
