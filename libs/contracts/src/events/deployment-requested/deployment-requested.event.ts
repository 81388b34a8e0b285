import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { attemptSchema, commitShaSchema, patchSchema, repositorySchema, taskIdSchema } from '../common/common.schemas';

export const environmentNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'must be a lower-case environment name');

export const deploymentRequestedPayloadSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  repository: repositorySchema,
  commit: commitShaSchema,
  patch: patchSchema,
  environment: environmentNameSchema,
  title: z.string().min(1).max(300),
});
export type DeploymentRequested = z.infer<typeof deploymentRequestedPayloadSchema>;

export const deploymentRequestedEvent = defineEvent({
  type: 'deployment.requested',
  schemaVersion: 1,
  topic: TOPICS.deploymentRequested,
  payload: deploymentRequestedPayloadSchema,
});
