import { z } from 'zod';
import type { TopicName } from './topics';

/** One event: its type, schema version, topic and payload schema. */
export interface EventDefinition<TType extends string = string, TPayload extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly schemaVersion: number;
  readonly topic: TopicName;
  readonly payload: TPayload;
}

export function defineEvent<TType extends string, TPayload extends z.ZodType>(
  definition: EventDefinition<TType, TPayload>,
): EventDefinition<TType, TPayload> {
  return Object.freeze(definition);
}

export type PayloadOf<D extends EventDefinition> = z.infer<D['payload']>;
