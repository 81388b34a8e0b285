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

/**
 * The broker's limit on one record (Kafka's default `message.max.bytes`);
 * anything the mesh publishes, dead letters included, must stay under it.
 */
export const BROKER_MAX_MESSAGE_BYTES = 1024 * 1024;

/** What a consumer accepts from a topic unless the topic says otherwise; checked before parsing. */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Topics that legitimately carry more: assignments and results travel with
 * patches of up to MAX_DIFF_CHARS, progress with checkpoints holding a diff,
 * dead letters with (a bounded part of) the original, so they may use what
 * the broker allows.
 */
export const TOPIC_MAX_MESSAGE_BYTES: Readonly<Partial<Record<TopicName, number>>> = {
  [TOPICS.generationRequested]: BROKER_MAX_MESSAGE_BYTES,
  [TOPICS.validationRequested]: BROKER_MAX_MESSAGE_BYTES,
  [TOPICS.deploymentRequested]: BROKER_MAX_MESSAGE_BYTES,
  [TOPICS.utilityRequested]: BROKER_MAX_MESSAGE_BYTES,
  [TOPICS.taskResult]: BROKER_MAX_MESSAGE_BYTES,
  [TOPICS.taskProgress]: BROKER_MAX_MESSAGE_BYTES,
  [TOPICS.deadLetter]: BROKER_MAX_MESSAGE_BYTES,
};

/** The largest message value a consumer of `topic` (logical name) accepts. */
export function maxMessageBytes(topic: string): number {
  return TOPIC_MAX_MESSAGE_BYTES[topic as TopicName] ?? DEFAULT_MAX_MESSAGE_BYTES;
}
