import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { attemptSchema, taskIdSchema } from '../common/common.schemas';
import { environmentNameSchema } from '../deployment-requested/deployment-requested.event';

export const deploymentCompletedPayloadSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  environment: environmentNameSchema,
  /** `nothing-to-deploy`: the patch was empty, so the environment is unchanged. */
  outcome: z.enum(['deployed', 'nothing-to-deploy', 'failed', 'rolled-back']),
  /** The environment's revision after this deployment, when known. */
  revision: z.string().max(100).optional(),
  summary: z.string().max(2000),
  durationMs: z.number().min(0),
});
export type DeploymentCompleted = z.infer<typeof deploymentCompletedPayloadSchema>;

export const deploymentCompletedEvent = defineEvent({
  type: 'deployment.completed',
  schemaVersion: 1,
  topic: TOPICS.deploymentCompleted,
  payload: deploymentCompletedPayloadSchema,
});
