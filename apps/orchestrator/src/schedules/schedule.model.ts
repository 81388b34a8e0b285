import { Cron } from 'croner';
import { z } from 'zod';
import { triggerRequestedPayloadSchema } from '@autocode/contracts';
import { createTaskSchema } from '../tasks/task-submission.service';

const timezoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as "Europe/Madrid"');

export const scheduleTimingSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('interval'),
    /** Milliseconds between runs; slots are anchored at the moment the timing was set. */
    everyMs: z.number().int().min(100).max(366 * 24 * 3600_000),
  }),
  z.strictObject({
    kind: z.literal('cron'),
    /** Five or six fields (seconds optional), e.g. "*\/15 * * * *". */
    expression: z.string().min(1).max(200).refine((expression) => {
      try {
        new Cron(expression, { paused: true });
        return true;
      } catch {
        return false;
      }
    }, 'is not a valid cron expression'),
    timezone: timezoneSchema.default('UTC'),
  }),
]);
export type ScheduleTiming = z.infer<typeof scheduleTimingSchema>;

export const scheduleTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('task'), task: createTaskSchema.omit({ scheduledFor: true, idempotencyKey: true }) }),
  z.strictObject({ kind: z.literal('trigger'), trigger: triggerRequestedPayloadSchema.omit({ source: true, dedupeKey: true }).default({}) }),
]);
export type ScheduleTarget = z.infer<typeof scheduleTargetSchema>;

/**
 * What happens to slots missed while no orchestrator was running (or that
 * are older than the grace period when looked at): `skip` fires none of
 * them, `once` fires a single run for all of them, `all` fires each (up to
 * `maxCatchUp`, oldest first).
 */
export const CATCH_UP_POLICIES = ['skip', 'once', 'all'] as const;

export const scheduleIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes');

const scheduleFields = {
  name: z.string().min(1).max(200),
  timing: scheduleTimingSchema,
  target: scheduleTargetSchema,
  enabled: z.boolean(),
  catchUp: z.enum(CATCH_UP_POLICIES),
  maxCatchUp: z.number().int().min(1).max(1000),
  /** A slot later than this is "missed" and handled by the catch-up policy. */
  misfireGraceSeconds: z.number().int().min(1).max(24 * 3600),
};

export const createScheduleSchema = z.strictObject({
  id: scheduleIdSchema,
  ...scheduleFields,
  name: scheduleFields.name.optional(),
  enabled: scheduleFields.enabled.default(true),
  catchUp: scheduleFields.catchUp.default('skip'),
  maxCatchUp: scheduleFields.maxCatchUp.default(10),
  misfireGraceSeconds: scheduleFields.misfireGraceSeconds.default(60),
});
export type CreateSchedule = z.infer<typeof createScheduleSchema>;

/** A patch: only what is given changes (no defaults here, or a PATCH would reset fields it does not name). */
export const updateScheduleSchema = z.strictObject(scheduleFields).partial();
export type UpdateSchedule = z.infer<typeof updateScheduleSchema>;

export interface ScheduleRecord extends CreateSchedule {
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Interval slots are counted from here (set when the timing is set). */
  anchorMs: number;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastSlot: string | null;
  runs: number;
  lastError: string | null;
}

export interface ScheduleStatus extends ScheduleRecord {
  secondsUntilNext: number | null;
}

export class ScheduleNotFoundError extends Error {
  readonly httpStatus = 404;
  constructor(id: string) {
    super(`schedule ${id} not found`);
  }
}

export class ScheduleExistsError extends Error {
  readonly httpStatus = 409;
  constructor(id: string) {
    super(`schedule ${id} already exists`);
  }
}
