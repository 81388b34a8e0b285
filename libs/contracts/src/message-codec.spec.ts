import { randomUUID } from 'node:crypto';
import { buildEnvelope, decodeMessage, encodeEnvelope, InvalidPayloadError, jsonTextProblem, toWellFormedText } from './message-codec';
import { triggerRequestedEvent } from './events/trigger-requested/trigger-requested.event';
import { taskResultEvent } from './events/task-result/task-result.event';
import { newLeaseToken } from './task/task-lease';
import { ALL_TOPICS, BROKER_MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES, isWellFormedTopicName, maxMessageBytes, TOPICS } from './topics';
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
      leaseToken: newLeaseToken(),
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

describe('decodeMessage on hostile bytes', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('refuses a message over the topic limit before parsing it, naming size and limit', () => {
    const result = decodeMessage(TOPICS.triggerRequested, Buffer.alloc(DEFAULT_MAX_MESSAGE_BYTES + 1, 0x20));
    expect(!result.ok && result.reason).toBe(`message of ${DEFAULT_MAX_MESSAGE_BYTES + 1} bytes exceeds the ${DEFAULT_MAX_MESSAGE_BYTES}-byte limit of ${TOPICS.triggerRequested}`);
    // Topics that carry patches accept what the broker accepts.
    expect(maxMessageBytes(TOPICS.taskResult)).toBe(BROKER_MAX_MESSAGE_BYTES);
  });

  it('refuses 3,000-deep nesting without overflowing the stack', () => {
    const deep = rawEnvelope({ payload: JSON.parse(JSON.stringify({ source: 'kafka', reason: 'x' })) }).toString().replace('"reason":"x"', `"reason":${nested(3000)}`);
    const result = decodeMessage(TOPICS.triggerRequested, Buffer.from(deep));
    expect(!result.ok && result.reason).toMatch(/^malformed JSON: JSON nested deeper than 64 levels/);
  });

  it('counts brackets inside strings as text', () => {
    const result = decodeMessage(TOPICS.triggerRequested, rawEnvelope({ payload: { source: 'kafka', reason: nested(100) } }));
    expect(result.ok).toBe(true);
  });

  it.each([
    ['a lone high surrogate', '"\\ud800"', /lone surrogate \\ud800/],
    ['a lone low surrogate', '"a\\udc00b"', /lone surrogate \\udc00/],
    ['a high surrogate followed by a non-surrogate escape', '"\\ud83d\\u0041"', /lone surrogate \\ud83d/],
  ])('refuses %s', (_label, literal, reason) => {
    const bytes = Buffer.from(rawEnvelope().toString().replace('"nightly"', literal));
    const result = decodeMessage(TOPICS.triggerRequested, bytes);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('accepts a surrogate pair, escaped or raw', () => {
    expect(decodeMessage(TOPICS.triggerRequested, Buffer.from(rawEnvelope().toString().replace('"nightly"', '"\\ud83d\\ude00"'))).ok).toBe(true);
    expect(decodeMessage(TOPICS.triggerRequested, rawEnvelope({ payload: { source: 'kafka', reason: 'smile 😀' } })).ok).toBe(true);
  });

  it('refuses bytes that are not UTF-8, and truncated JSON', () => {
    const latin1 = Buffer.concat([rawEnvelope().subarray(0, 20), Buffer.from([0xff, 0xfe, 0xc3]), rawEnvelope().subarray(20)]);
    expect(decodeMessage(TOPICS.triggerRequested, latin1)).toEqual({ ok: false, reason: 'message is not valid UTF-8' });
    const whole = rawEnvelope();
    expect(decodeMessage(TOPICS.triggerRequested, whole.subarray(0, whole.length - 10))).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed JSON/) });
  });
});

describe('jsonTextProblem', () => {
  it('scans a megabyte in a single linear pass (no recursion, no backtracking)', () => {
    // Deep-but-allowed nesting, escapes and strings full of brackets: the scan's worst inputs.
    const text = JSON.stringify({ a: Array.from({ length: 20_000 }, (_, i) => ({ s: `[{\\"${i}\\u00e9`, n: [[[i]]] })) });
    expect(text.length).toBeGreaterThan(500_000);
    expect(jsonTextProblem(text)).toBeUndefined();
    expect(jsonTextProblem('{"a":' + '['.repeat(65) + ']'.repeat(65) + '}')).toMatch(/deeper than 64/);
    expect(jsonTextProblem('[[[]]]', 2)).toMatch(/deeper than 2 levels \(at character 2\)/);
  });

  it('replaces lone surrogates when asked for well-formed text', () => {
    expect(toWellFormedText('a\ud800b\udc00c\ud83d\ude00')).toBe('a\ufffdb\ufffdc\ud83d\ude00');
  });
});
