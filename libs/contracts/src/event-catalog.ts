import type { EventDefinition } from './event-definition';
import { deadLetterEvent } from './events/dead-letter/dead-letter.event';
import {
  deploymentRequestedEvent,
  generationRequestedEvent,
  planningRequestedEvent,
  utilityRequestedEvent,
  validationRequestedEvent,
} from './events/task-assigned/task-assigned.event';
import { taskControlEvent } from './events/task-control/task-control.event';
import { taskLifecycleEvent } from './events/task-lifecycle/task-lifecycle.event';
import { taskProgressEvent } from './events/task-progress/task-progress.event';
import { taskResultEvent } from './events/task-result/task-result.event';
import { triggerRequestedEvent } from './events/trigger-requested/trigger-requested.event';
import { workerHeartbeatEvent } from './events/worker-heartbeat/worker-heartbeat.event';

/** Every event the mesh knows. A topic carries only the events listed for it here. */
export const EVENT_CATALOG: readonly EventDefinition[] = [
  triggerRequestedEvent,
  planningRequestedEvent,
  generationRequestedEvent,
  validationRequestedEvent,
  deploymentRequestedEvent,
  utilityRequestedEvent,
  taskResultEvent,
  taskProgressEvent,
  taskControlEvent,
  taskLifecycleEvent,
  workerHeartbeatEvent,
  deadLetterEvent,
];

export function eventsOnTopic(topic: string): EventDefinition[] {
  return EVENT_CATALOG.filter((definition) => definition.topic === topic);
}
