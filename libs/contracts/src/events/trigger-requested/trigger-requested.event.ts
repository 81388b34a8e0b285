import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { opportunityKindSchema, relativePathSchema, repositorySchema } from '../common/common.schemas';
import { parseRepositoryLocation } from './repository-location';

export * from './repository-location';

export const TRIGGER_SOURCES = ['api', 'kafka', 'schedule', 'file-watch'] as const;
export const triggerSourceSchema = z.enum(TRIGGER_SOURCES);
export type TriggerSource = z.infer<typeof triggerSourceSchema>;

/** Public contract: external clients publish this to `autocode.trigger.requested.v1`. */
export const triggerRequestedPayloadSchema = z.strictObject({
  source: triggerSourceSchema.default('kafka'),
  reason: z.string().max(500).optional(),
  requestedBy: z.string().max(200).optional(),
  /**
   * Defaults to the repository the orchestrator is configured with. An
   * absolute path, a file:// URL or a remote URL; the orchestrator also
   * holds it to the schemes, hosts and roots it is configured to allow.
   */
  repository: repositorySchema
    .superRefine((value, ctx) => {
      const location = parseRepositoryLocation(value);
      if ('problem' in location) ctx.addIssue({ code: 'custom', message: location.problem });
    })
    .optional(),
  /** Branch, tag or sha to analyse; defaults to HEAD. */
  ref: z.string().min(1).max(200).optional(),
  /** How far back the planner looks for changes. */
  lookbackHours: z.number().int().min(1).max(24 * 90).optional(),
  /** Paths that changed, when the trigger knows (file watcher). */
  paths: z.array(relativePathSchema).max(1000).optional(),
  /** Only look for these opportunity kinds (all when absent), e.g. ["lint-finding"]. */
  kinds: z.array(opportunityKindSchema).min(1).max(50).optional(),
  /** Triggers with the same key inside the de-duplication window are recorded once. */
  dedupeKey: z.string().min(1).max(200).optional(),
});
export type TriggerRequested = z.infer<typeof triggerRequestedPayloadSchema>;

export const triggerRequestedEvent = defineEvent({
  type: 'trigger.requested',
  schemaVersion: 1,
  topic: TOPICS.triggerRequested,
  payload: triggerRequestedPayloadSchema,
});
