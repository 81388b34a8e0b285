import { z } from 'zod';
import { TOPICS, type TopicName } from '../topics';

/**
 * Workers come in pools, one per service kind; each pool has its assignment
 * topic. A new task type joins an existing pool without any contract change.
 */
/** `utility`: small engine-side work (delays, HTTP requests, notifications), run by the orchestrator itself. */
export const WORKER_POOLS = ['planning', 'generation', 'validation', 'deployment', 'utility'] as const;
export const workerPoolSchema = z.enum(WORKER_POOLS);
export type WorkerPool = z.infer<typeof workerPoolSchema>;

export const POOL_TOPICS: Readonly<Record<WorkerPool, TopicName>> = {
  planning: TOPICS.planningRequested,
  generation: TOPICS.generationRequested,
  validation: TOPICS.validationRequested,
  deployment: TOPICS.deploymentRequested,
  utility: TOPICS.utilityRequested,
};
