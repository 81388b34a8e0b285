import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { attemptSchema, taskIdSchema } from '../common/common.schemas';

/** A skipped stage is its own status: it is never counted as passed. */
export const STAGE_STATUSES = ['passed', 'failed', 'skipped'] as const;

export const validationStageReportSchema = z.strictObject({
  name: z.string().min(1).max(100),
  status: z.enum(STAGE_STATUSES),
  required: z.boolean(),
  durationMs: z.number().min(0),
  summary: z.string().max(2000),
  findings: z.array(z.string().max(2000)).max(500),
});
export type ValidationStageReport = z.infer<typeof validationStageReportSchema>;

export const validationCompletedPayloadSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  /** `nothing-to-validate`: the patch was empty, so no stage had anything to check. */
  verdict: z.enum(['passed', 'failed', 'nothing-to-validate']),
  stages: z.array(validationStageReportSchema).max(50),
  durationMs: z.number().min(0),
});
export type ValidationCompleted = z.infer<typeof validationCompletedPayloadSchema>;

export const validationCompletedEvent = defineEvent({
  type: 'validation.completed',
  schemaVersion: 1,
  topic: TOPICS.validationCompleted,
  payload: validationCompletedPayloadSchema,
});
