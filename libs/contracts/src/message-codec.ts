import { randomUUID } from 'node:crypto';
import { describeIssues } from './describe-issues';
import { envelopeSchema, type Envelope } from './envelope';
import { eventsOnTopic } from './event-catalog';
import type { EventDefinition, PayloadOf } from './event-definition';
import { decodeUtf8Strict, jsonTextProblem } from './json-guard';
import { maxMessageBytes } from './topics';

export * from './json-guard';

export interface EnvelopeMeta {
  producer: string;
  correlationId: string;
  causationId?: string | null;
  id?: string;
  occurredAt?: Date;
}

/**
 * Builds an envelope through the event's schema, so a producer can never
 * send a payload its consumers would reject. Throws on an invalid payload.
 */
export function buildEnvelope<D extends EventDefinition>(
  definition: D,
  payload: PayloadOf<D> | Record<string, unknown>,
  meta: EnvelopeMeta,
): Envelope<PayloadOf<D>> {
  const parsed = definition.payload.safeParse(payload);
  if (!parsed.success) {
    throw new InvalidPayloadError(definition, describeIssues(parsed.error, 'payload'));
  }
  return {
    id: meta.id ?? randomUUID(),
    type: definition.type,
    schemaVersion: definition.schemaVersion,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    correlationId: meta.correlationId,
    causationId: meta.causationId ?? null,
    producer: meta.producer,
    payload: parsed.data as PayloadOf<D>,
  };
}

export class InvalidPayloadError extends Error {
  constructor(
    readonly definition: EventDefinition,
    readonly details: string,
  ) {
    super(`invalid ${definition.type} v${definition.schemaVersion} payload: ${details}`);
    this.name = 'InvalidPayloadError';
  }
}

export function encodeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(envelope));
}

export type DecodeResult =
  | { ok: true; envelope: Envelope; definition: EventDefinition }
  | { ok: false; reason: string };

/**
 * Decodes and validates raw bytes from a topic: size, UTF-8, nesting depth
 * and lone surrogates (cheap checks, before anything recursive runs), then
 * JSON, the envelope, the event type and version the topic carries, and the
 * payload. Never throws: whatever the bytes, the answer is a result. The
 * reason of a failure is specific enough to act on from the dead-letter
 * topic alone.
 */
export function decodeMessage(topic: string, value: Buffer | null): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'message has no value' };
  const limit = maxMessageBytes(topic);
  if (value.length > limit) return { ok: false, reason: `message of ${value.length} bytes exceeds the ${limit}-byte limit of ${topic}` };

  const text = decodeUtf8Strict(value);
  if (text === undefined) return { ok: false, reason: 'message is not valid UTF-8' };
  const problem = jsonTextProblem(text);
  if (problem) return { ok: false, reason: `malformed JSON: ${problem}` };

  try {
    return decodeJson(topic, text);
  } catch (error) {
    // The checks above should leave nothing that throws; if something still
    // does (a stack overflow in a schema), the message is refused, not the consumer.
    return { ok: false, reason: `message could not be validated: ${(error as Error).name}: ${(error as Error).message}` };
  }
}

function decodeJson(topic: string, text: string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${(error as Error).message}` };
  }

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `invalid envelope: ${describeIssues(envelope.error)}` };

  const { type, schemaVersion } = envelope.data;
  const candidates = eventsOnTopic(topic);
  const sameType = candidates.filter((d) => d.type === type);
  if (sameType.length === 0) {
    const expected = candidates.map((d) => d.type).join(', ') || 'nothing (unknown topic)';
    return { ok: false, reason: `unknown event type "${type}" on ${topic} (expected: ${expected})` };
  }
  const definition = sameType.find((d) => d.schemaVersion === schemaVersion);
  if (!definition) {
    const supported = sameType.map((d) => d.schemaVersion).join(', ');
    return {
      ok: false,
      reason: `unsupported schemaVersion ${schemaVersion} for ${type} on ${topic} (supported: ${supported})`,
    };
  }

  const payload = definition.payload.safeParse(envelope.data.payload);
  if (!payload.success) {
    return {
      ok: false,
      reason: `invalid ${type} v${schemaVersion} payload: ${describeIssues(payload.error, 'payload')}`,
    };
  }
  return { ok: true, envelope: { ...envelope.data, payload: payload.data }, definition };
}
