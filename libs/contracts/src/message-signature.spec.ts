import { randomBytes } from 'node:crypto';
import { workerHeartbeatEvent } from './events/worker-heartbeat/worker-heartbeat.event';
import { buildEnvelope, decodeMessage, encodeEnvelope } from './message-codec';
import { canonicalJson, signEnvelope, signPayload, verifyEnvelopeSignature, verifyPayloadSignature } from './message-signature';
import { TOPICS } from './topics';

const secret = randomBytes(32).toString('base64url');
const heartbeat = () =>
  buildEnvelope(
    workerHeartbeatEvent,
    {
      workerId: 'gen-1',
      pool: 'generation',
      capacity: 4,
      running: [],
      partitions: [0, 1],
      taskTypes: [],
      startedAt: new Date().toISOString(),
      intervalMs: 1000,
    },
    { producer: 'generation-node', correlationId: 'gen-1' },
  );

describe('canonical JSON', () => {
  it('does not depend on key order at any level and leaves out absent values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 2, y: null }], c: 'x' }, e: undefined })).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":2}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('envelope signatures', () => {
  it('verifies what the sender signed, on the envelope the receiver decodes', () => {
    const envelope = heartbeat();
    const signature = signEnvelope(envelope, secret);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    // The receiver's envelope comes out of the codec (its schema chooses the key order), not the sender's object.
    const { payload, ...rest } = envelope;
    const shuffled = Buffer.from(JSON.stringify({ payload, ...rest }));
    const decoded = decodeMessage(TOPICS.workerHeartbeat, shuffled);
    expect(decoded.ok).toBe(true);
    expect(decoded.ok && verifyEnvelopeSignature(decoded.envelope, signature, secret)).toEqual({ ok: true });
    expect(verifyEnvelopeSignature(JSON.parse(encodeEnvelope(envelope).toString()), signature, secret)).toEqual({ ok: true });
  });

  it('refuses an unsigned, malformed, tampered or wrongly keyed envelope, saying which', () => {
    const envelope = heartbeat();
    const signature = signEnvelope(envelope, secret);
    const refusal = (header: string | undefined, value = envelope, key = secret) => {
      const check = verifyEnvelopeSignature(value, header, key);
      return check.ok ? 'accepted' : check.reason;
    };
    expect(refusal(undefined)).toMatch(/^unsigned: no autocode-signature header/);
    expect(refusal('sha256=abc')).toMatch(/^malformed autocode-signature header/);
    expect(refusal(signature, { ...envelope, payload: { ...envelope.payload, capacity: 10_000 } })).toMatch(/^bad signature/);
    expect(refusal(signature, { ...envelope, occurredAt: new Date(Date.now() + 60_000).toISOString() })).toMatch(/^bad signature/);
    expect(refusal(signature, envelope, randomBytes(32).toString('base64url'))).toMatch(/^bad signature/);
    // The reason never contains the signature that would have been right.
    expect(refusal('v1=' + '0'.repeat(64))).not.toContain(signature.slice(3));
  });
});

describe('payload signatures', () => {
  const payload = { taskId: 'tsk_abcdef12', attempt: 1, params: { b: 1, a: [2] } };

  it('bind the event type and payload, whatever the key order', () => {
    const signature = signPayload('generation.requested', payload, secret);
    expect(signature).toMatch(/^p1=[0-9a-f]{64}$/);
    expect(verifyPayloadSignature('generation.requested', { params: { a: [2], b: 1 }, attempt: 1, taskId: 'tsk_abcdef12' }, signature, secret)).toEqual({ ok: true });
  });

  it('refuse another type, a changed payload, an envelope signature or none', () => {
    const signature = signPayload('generation.requested', payload, secret);
    const reason = (check: ReturnType<typeof verifyPayloadSignature>) => (check.ok ? 'accepted' : check.reason);
    expect(reason(verifyPayloadSignature('deployment.requested', payload, signature, secret))).toMatch(/^bad signature/);
    expect(reason(verifyPayloadSignature('generation.requested', { ...payload, attempt: 2 }, signature, secret))).toMatch(/^bad signature/);
    expect(reason(verifyPayloadSignature('generation.requested', payload, signEnvelope(heartbeat(), secret), secret))).toMatch(/^malformed/);
    expect(reason(verifyPayloadSignature('generation.requested', payload, undefined, secret))).toMatch(/^unsigned/);
  });
});
