import type { RetryPolicy } from '@autocode/contracts';
import type { TaskRecord } from './task.model';
import { JSON_FIELDS, NUMBER_FIELDS, UNSET_TASK_FIELDS } from './task.model';

/*
 * Redis keeps a small hash in its compact encoding only while every value
 * is at most 64 bytes; one longer value (a retry policy as JSON) more than
 * doubles the memory of a queued task. Hence the terse forms below.
 */

function encodeRetry(policy: RetryPolicy): string {
  return [policy.maxRetries, policy.initialDelayMs, policy.factor, policy.maxDelayMs, policy.jitter ? 1 : 0].join('|');
}

function decodeRetry(value: string): RetryPolicy {
  const [maxRetries, initialDelayMs, factor, maxDelayMs, jitter] = value.split('|').map(Number);
  return { maxRetries, initialDelayMs, factor, maxDelayMs, jitter: jitter === 1 };
}

type Encodable = Partial<TaskRecord> & { deadlineMs?: number | null };

/** Hash fields are strings; objects go in as JSON, absent values are not stored at all. */
export function encodeTaskFields(fields: Encodable): { set: Record<string, string>; del: string[] } {
  const set: Record<string, string> = {};
  const del: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined || field === 'deadline') continue;
    if (value === null) {
      del.push(field);
      continue;
    }
    if (field === 'retry') set[field] = encodeRetry(value as RetryPolicy);
    else set[field] = (JSON_FIELDS as readonly string[]).includes(field) ? JSON.stringify(value) : String(value);
  }
  return { set, del };
}

export function decodeTask(hash: Record<string, string>): TaskRecord {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field === 'retry') record[field] = decodeRetry(value);
    else if ((JSON_FIELDS as readonly string[]).includes(field)) record[field] = JSON.parse(value);
    else if ((NUMBER_FIELDS as readonly string[]).includes(field)) record[field] = Number(value);
    else record[field] = value;
  }
  const deadlineMs = hash.deadlineMs ? Number(hash.deadlineMs) : null;
  delete record.deadlineMs;
  delete record.createdBy;
  // The lease of the last dispatched attempt is for checking reports (TaskRepository.getWithLease), never shown.
  delete record.lease;
  return {
    ...UNSET_TASK_FIELDS,
    ...(record as Partial<TaskRecord>),
    deadline: deadlineMs === null ? null : new Date(deadlineMs).toISOString(),
  } as TaskRecord;
}
