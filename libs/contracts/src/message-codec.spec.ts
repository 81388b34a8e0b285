import { randomUUID } from 'node:crypto';
import { buildEnvelope, decodeMessage, encodeEnvelope, InvalidPayloadError } from './message-codec';
import { triggerRequestedEvent } from './events/trigger-requested/trigger-requested.event';
import { taskResultEvent } from './events/task-result/task-result.event';
import { ALL_TOPICS, isWellFormedTopicName, TOPICS } from './topics';
import { EVENT_CATALOG } from './event-catalog';

const meta = { producer: 'test', correlationId: 'trg_test' };

function rawEnvelope(overrides: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: randomUUID(),
      type: 'trigger.requested',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      correlationId: 'c-1',
      causationId: null,
      producer: 'kcat',
      payload: { source: 'kafka', reason: 'nightly' },
      ...overrides,
    }),
  );
}

describe('topic catalogue', () => {
  it('names every topic autocode.<domain>.<event>.v<N>', () => {
    for (const topic of ALL_TOPICS) expect(isWellFormedTopicName(topic)).toBe(true);
    expect(isWellFormedTopicName('autocode.trigger.requested')).toBe(false);
    expect(isWellFormedTopicName('trigger.requested.v1')).toBe(false);
  });

  it('gives every event a catalogued topic and a unique (type, version)', () => {
    const keys = EVENT_CATALOG.map((d) => `${d.type}@${d.schemaVersion}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of EVENT_CATALOG) expect(ALL_TOPICS).toContain(d.topic);
  });
});

describe('buildEnvelope', () => {
  it('fills the envelope and applies payload defaults', () => {
    const envelope = buildEnvelope(triggerRequestedEvent, { reason: 'manual' }, meta);
    expect(envelope).toMatchObject({
      type: 'trigger.requested',
      schemaVersion: 1,
      correlationId: 'trg_test',
      causationId: null,
      producer: 'test',
      payload: { source: 'kafka', reason: 'manual' },
    });
    expect(decodeMessage(TOPICS.triggerRequested, encodeEnvelope(envelope))).toMatchObject({ ok: true });
  });

  it('refuses a payload its consumers would reject, naming the field', () => {
    expect(() => buildEnvelope(triggerRequestedEvent, { source: 'carrier-pigeon' }, meta)).toThrow(InvalidPayloadError);
    expect(() => buildEnvelope(triggerRequestedEvent, { source: 'carrier-pigeon' }, meta)).toThrow('payload.source');
  });

  it('enforces cross-field rules', () => {
    const failedWithoutError = {
      taskId: 'tsk_abcdef12',
      attempt: 1,
      workerId: 'n1',
      type: 'noop',
      outcome: 'failed',
      output: null,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    };
    expect(() => buildEnvelope(taskResultEvent, failedWithoutError, meta)).toThrow('payload.error');
  });
});

describe('decodeMessage', () => {
  it('accepts a valid trigger published by any client', () => {
    const result = decodeMessage(TOPICS.triggerRequested, rawEnvelope());
    expect(result.ok && result.envelope.payload).toEqual({ source: 'kafka', reason: 'nightly' });
  });

  it.each([
    ['an empty message', null, 'message has no value'],
    ['malformed JSON', Buffer.from('{"id": '), 'malformed JSON'],
    ['a missing envelope field', rawEnvelope({ producer: undefined }), 'invalid envelope: producer'],
    ['a non-uuid id', rawEnvelope({ id: 'nope' }), 'invalid envelope: id'],
    ['an unknown event type', rawEnvelope({ type: 'trigger.exploded' }), 'unknown event type "trigger.exploded"'],
    ['a wrong schema version', rawEnvelope({ schemaVersion: 2 }), 'unsupported schemaVersion 2 for trigger.requested'],
    ['an invalid payload', rawEnvelope({ payload: { lookbackHours: -1 } }), 'payload.lookbackHours'],
    ['an unexpected payload field', rawEnvelope({ payload: { colour: 'red' } }), 'payload'],
  ])('rejects %s with a reason', (_label, bytes, reason) => {
    const result = decodeMessage(TOPICS.triggerRequested, bytes as Buffer | null);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('rejects an event published to a topic that does not carry it', () => {
    const result = decodeMessage(TOPICS.planningRequested, rawEnvelope());
    expect(!result.ok && result.reason).toContain('expected: planning.requested');
    expect(decodeMessage('autocode.nothing.here.v1', rawEnvelope())).toMatchObject({ ok: false, reason: expect.stringContaining('unknown topic') });
  });
});
