/**
 * The topic catalogue.
 *
 * Topic names are a public contract: users publish triggers straight to
 * `autocode.trigger.requested.v1`, and dashboards and tools subscribe to the
 * others. A name is never renamed or reused; an incompatible change to an
 * event ships as a new topic with the next version suffix, alongside the old.
 */
export const TOPICS = {
  /** Public: anyone may publish a trigger here. */
  triggerRequested: 'autocode.trigger.requested.v1',
  /** Task assignments, one topic per worker pool; each message targets one worker's partition. */
  planningRequested: 'autocode.planning.requested.v1',
  generationRequested: 'autocode.generation.requested.v1',
  validationRequested: 'autocode.validation.requested.v1',
  deploymentRequested: 'autocode.deployment.requested.v1',
  utilityRequested: 'autocode.utility.requested.v1',
  /** Results of every task, from every pool. */
  taskResult: 'autocode.task.result.v1',
  taskProgress: 'autocode.task.progress.v1',
  /** Orchestrator → workers: stop a task (cancelled, paused, timed out). */
  taskControl: 'autocode.task.control.v1',
  /** Every lifecycle transition of every task, in order per task. */
  taskLifecycle: 'autocode.task.lifecycle.v1',
  /** Workers announce themselves, their capacity and their task types. */
  workerHeartbeat: 'autocode.worker.heartbeat.v1',
  /** Messages that failed validation or kept failing their handler. */
  deadLetter: 'autocode.deadletter.recorded.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

const TOPIC_NAME_PATTERN = /^autocode\.[a-z][a-z-]*\.[a-z][a-z-]*\.v[1-9][0-9]*$/;

/** True when a name follows `autocode.<domain>.<event>.v<N>`. */
export function isWellFormedTopicName(name: string): boolean {
  return TOPIC_NAME_PATTERN.test(name);
}
