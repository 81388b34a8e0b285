import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import type { Envelope } from '@autocode/contracts';
import { currentLogContext } from '@autocode/runtime';

/**
 * Headers duplicate the envelope's routing facts so tools can filter without
 * parsing the body, and carry W3C trace context from hop to hop.
 */
export const HEADER = {
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  producer: 'producer',
  traceparent: 'traceparent',
} as const;

export function headersFor(envelope: Envelope, extra: Record<string, string> = {}): IHeaders {
  const context = currentLogContext();
  // randomUUID draws from a cached entropy pool; much cheaper per message than randomBytes.
  const random = randomUUID().replace(/-/g, '');
  const traceId = context.traceId ?? random;
  const spanId = random.slice(0, 16);
  const headers: IHeaders = {
    [HEADER.correlationId]: envelope.correlationId,
    [HEADER.eventType]: envelope.type,
    [HEADER.schemaVersion]: String(envelope.schemaVersion),
    [HEADER.producer]: envelope.producer,
    [HEADER.traceparent]: `00-${traceId}-${spanId}-01`,
  };
  if (envelope.causationId) headers[HEADER.causationId] = envelope.causationId;
  return { ...headers, ...extra };
}

export function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/** Trace id of an incoming message, so work it causes stays in the same trace. */
export function traceIdOf(headers: Record<string, string>): string | undefined {
  return /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(headers[HEADER.traceparent] ?? '')?.[1];
}
