import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Envelope } from './envelope';

/**
 * Messages that only members of the mesh may send (heartbeats: they decide
 * where work goes; assignments: they make a worker run something) carry an
 * HMAC-SHA256, keyed with the mesh secret, in this Kafka header. Anyone can
 * write to a topic; only a holder of the secret can sign.
 */
export const SIGNATURE_HEADER = 'autocode-signature';
const SCHEME = 'v1=';

/** The shortest mesh secret a service accepts (the HMAC key: 32 characters of base64url is 192 bits). */
export const MIN_MESH_SECRET_LENGTH = 32;

/**
 * The bytes that are signed: the envelope as JSON with object keys sorted at
 * every level and absent values left out. Sender and receiver compute them
 * from the envelope they hold (the receiver from the decoded one), so the
 * signature does not depend on how a client ordered its keys.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** Signs the whole envelope (its id and time too): for messages whose freshness matters, such as heartbeats. */
export function signEnvelope(envelope: Envelope, secret: string): string {
  return SCHEME + hmac(canonicalJson(envelope), secret);
}

/**
 * Signs an event's type and payload only: for messages whose envelope is
 * built by the publisher (assignments, from the outbox relay), whose
 * payload bounds their own lifetime (an assignment's deadline).
 */
export function signPayload(type: string, payload: unknown, secret: string): string {
  return PAYLOAD_SCHEME + hmac(canonicalJson({ type, payload }), secret);
}

const PAYLOAD_SCHEME = 'p1=';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Checks the signature header of a decoded envelope; the reason names what is wrong, never the expected value. */
export function verifyEnvelopeSignature(envelope: Envelope, header: string | undefined, secret: string): SignatureCheck {
  return verify(header, SCHEME, () => signEnvelope(envelope, secret), 'the envelope');
}

export function verifyPayloadSignature(type: string, payload: unknown, header: string | undefined, secret: string): SignatureCheck {
  return verify(header, PAYLOAD_SCHEME, () => signPayload(type, payload, secret), 'the payload');
}

function hmac(text: string, secret: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

function verify(header: string | undefined, scheme: string, expectedSignature: () => string, what: string): SignatureCheck {
  if (!header) return { ok: false, reason: `unsigned: no ${SIGNATURE_HEADER} header (it must be signed with the mesh secret)` };
  if (!header.startsWith(scheme) || !/^[0-9a-f]{64}$/.test(header.slice(scheme.length))) {
    return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header (expected "${scheme}<64 hex digits>")` };
  }
  const expected = Buffer.from(expectedSignature());
  const actual = Buffer.from(header);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, reason: `bad signature: ${SIGNATURE_HEADER} does not match ${what} under the mesh secret` };
  }
  return { ok: true };
}
