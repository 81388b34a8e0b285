import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { taskPrioritySchema } from '../../task/task-priority';
import { leaseTokenSchema } from '../../task/task-lease';
import { workerPoolSchema } from '../../task/worker-pool';
import {
  attemptSchema,
  jsonObjectSchema,
  jsonValueSchema,
  taskIdSchema,
  taskTypeNameSchema,
  workerIdSchema,
} from '../common/common.schemas';

/**
 * A task handed to one worker. It is sent to a partition that worker owns;
 * a worker that receives an assignment addressed to another (after a
 * rebalance) gives it back rather than running it unaccounted.
 */
export const taskAssignmentSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  type: taskTypeNameSchema,
  pool: workerPoolSchema,
  workerId: workerIdSchema,
  /**
   * The secret of this attempt (see task-lease). The worker echoes it in every
   * report of the attempt; a report without it counts for nothing.
   */
  leaseToken: leaseTokenSchema,
  priority: taskPrioritySchema,
  params: jsonObjectSchema,
  /** The worker must stop by then; the orchestrator enforces it too. */
  deadline: z.iso.datetime({ offset: true }),
  /** The last checkpoint of an earlier attempt, so a retried task resumes. */
  checkpoint: jsonValueSchema.nullable(),
});
export type TaskAssignment = z.infer<typeof taskAssignmentSchema>;

const assignmentOn = <T extends string>(type: T, topic: (typeof TOPICS)[keyof typeof TOPICS]) =>
  defineEvent({ type, schemaVersion: 1, topic, payload: taskAssignmentSchema });

export const planningRequestedEvent = assignmentOn('planning.requested', TOPICS.planningRequested);
export const generationRequestedEvent = assignmentOn('generation.requested', TOPICS.generationRequested);
export const validationRequestedEvent = assignmentOn('validation.requested', TOPICS.validationRequested);
export const deploymentRequestedEvent = assignmentOn('deployment.requested', TOPICS.deploymentRequested);
export const utilityRequestedEvent = assignmentOn('utility.requested', TOPICS.utilityRequested);

export const ASSIGNMENT_EVENTS = {
  planning: planningRequestedEvent,
  generation: generationRequestedEvent,
  validation: validationRequestedEvent,
  deployment: deploymentRequestedEvent,
  utility: utilityRequestedEvent,
} as const;
