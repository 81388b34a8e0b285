import type { EventDefinition } from './event-definition';
import { deadLetterEvent } from './events/dead-letter/dead-letter.event';
import { deploymentCompletedEvent } from './events/deployment-completed/deployment-completed.event';
import { deploymentRequestedEvent } from './events/deployment-requested/deployment-requested.event';
import { generationCompletedEvent } from './events/generation-completed/generation-completed.event';
import { generationRequestedEvent } from './events/generation-requested/generation-requested.event';
import { planningCompletedEvent } from './events/planning-completed/planning-completed.event';
import { planningRequestedEvent } from './events/planning-requested/planning-requested.event';
import { taskLifecycleEvent } from './events/task-lifecycle/task-lifecycle.event';
import { taskProgressEvent } from './events/task-progress/task-progress.event';
import { triggerRequestedEvent } from './events/trigger-requested/trigger-requested.event';
import { validationCompletedEvent } from './events/validation-completed/validation-completed.event';
import { validationRequestedEvent } from './events/validation-requested/validation-requested.event';

/** Every event the mesh knows. A topic carries only the events listed for it here. */
export const EVENT_CATALOG: readonly EventDefinition[] = [
  triggerRequestedEvent,
  planningRequestedEvent,
  planningCompletedEvent,
  generationRequestedEvent,
  generationCompletedEvent,
  validationRequestedEvent,
  validationCompletedEvent,
  deploymentRequestedEvent,
  deploymentCompletedEvent,
  taskProgressEvent,
  taskLifecycleEvent,
  deadLetterEvent,
];

export function eventsOnTopic(topic: string): EventDefinition[] {
  return EVENT_CATALOG.filter((definition) => definition.topic === topic);
}
