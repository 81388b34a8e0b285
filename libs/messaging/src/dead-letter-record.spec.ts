import { createHash } from 'node:crypto';
import { BROKER_MAX_MESSAGE_BYTES, buildEnvelope, deadLetterEvent, DEAD_LETTER_LIMITS, encodeEnvelope } from '@autocode/contracts';
import { deadLetterRecord } from './dead-letter-record';

const failure = { reason: 'x'.repeat(20_000), category: 'invalid' as const, consumerGroup: 'g', attempts: 0 };

describe('deadLetterRecord', () => {
  it('keeps a message within the bound whole, with its size and sha256', () => {
    const value = Buffer.from('{"not":"valid"}');
    const { payload, headers } = deadLetterRecord({ topic: 't', partition: 0, offset: '7', key: Buffer.from('k'), value, headers: { a: 'b' } }, { ...failure, reason: 'bad' });
    const sha = createHash('sha256').update(value).digest('hex');
    expect(payload).toMatchObject({ valueBase64: value.toString('base64'), originalSizeBytes: value.length, originalSha256: sha, valueTruncated: false, key: 'k', reason: 'bad' });
    expect(headers).toEqual({ 'original-topic': 't', 'original-size': String(value.length), 'original-sha256': sha, 'dead-letter-category': 'invalid' });
  });

  it('fits under the broker limit whatever the original carried', () => {
    // The worst a producer can send: a value at the broker limit, a huge key, many huge headers with lone surrogates.
    const value = Buffer.alloc(BROKER_MAX_MESSAGE_BYTES, 0x7b);
    const headers = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`h${i}`.padEnd(5000, 'n'), '\ud800'.repeat(100_000)]));
    const { payload } = deadLetterRecord({ topic: 't', partition: 3, offset: '9', key: Buffer.alloc(500_000, 0x61), value, headers }, failure);

    expect(payload.valueTruncated).toBe(true);
    expect(payload.originalSizeBytes).toBe(BROKER_MAX_MESSAGE_BYTES);
    expect(Buffer.from(payload.valueBase64, 'base64')).toEqual(value.subarray(0, DEAD_LETTER_LIMITS.valueBytes));
    expect(payload.originalSha256).toBe(createHash('sha256').update(value).digest('hex'));
    expect(Object.keys(payload.headers)).toHaveLength(DEAD_LETTER_LIMITS.headerCount);
    expect(Object.values(payload.headers)[0]).toBe('\ufffd'.repeat(DEAD_LETTER_LIMITS.headerValueChars));

    // Built through the contract as the consumer does, and encoded: under the limit with ample room for record overhead.
    const encoded = encodeEnvelope(buildEnvelope(deadLetterEvent, payload, { producer: 'p', correlationId: 'c' }));
    expect(encoded.length).toBeLessThan(BROKER_MAX_MESSAGE_BYTES - 256 * 1024);
  });
});
