import { createHash } from 'node:crypto';
import { DEAD_LETTER_LIMITS, type DeadLetter, toWellFormedText } from '@autocode/contracts';

export interface FailedMessage {
  /** Logical topic the message came from. */
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface DeadLetterRecord {
  payload: DeadLetter;
  /** Kafka headers of the record: what tools can filter on without decoding. */
  headers: Record<string, string>;
}

/** Header names the dead-letter record itself carries. */
export const DEAD_LETTER_HEADER = {
  originalTopic: 'original-topic',
  originalSize: 'original-size',
  originalSha256: 'original-sha256',
  category: 'dead-letter-category',
} as const;

/**
 * The dead letter of a message, with every part copied from the original
 * bounded (see DEAD_LETTER_LIMITS), so the record fits under the broker's
 * limit whatever arrived. The size and sha256 of the whole original value
 * identify it even when only its beginning is kept.
 */
export function deadLetterRecord(
  message: FailedMessage,
  failure: { reason: string; category: DeadLetter['category']; consumerGroup: string; attempts: number },
): DeadLetterRecord {
  const value = message.value ?? Buffer.alloc(0);
  const truncated = value.length > DEAD_LETTER_LIMITS.valueBytes;
  const sha256 = createHash('sha256').update(value).digest('hex');
  const payload: DeadLetter = {
    originalTopic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key === null ? null : bounded(message.key.toString('utf8'), DEAD_LETTER_LIMITS.keyChars),
    headers: boundedHeaders(message.headers),
    valueBase64: (truncated ? value.subarray(0, DEAD_LETTER_LIMITS.valueBytes) : value).toString('base64'),
    originalSizeBytes: value.length,
    originalSha256: sha256,
    valueTruncated: truncated,
    reason: bounded(failure.reason, DEAD_LETTER_LIMITS.reasonChars) || 'no reason given',
    category: failure.category,
    consumerGroup: failure.consumerGroup,
    attempts: failure.attempts,
    failedAt: new Date().toISOString(),
  };
  return {
    payload,
    headers: {
      [DEAD_LETTER_HEADER.originalTopic]: message.topic,
      [DEAD_LETTER_HEADER.originalSize]: String(value.length),
      [DEAD_LETTER_HEADER.originalSha256]: sha256,
      [DEAD_LETTER_HEADER.category]: failure.category,
    },
  };
}

function boundedHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers).slice(0, DEAD_LETTER_LIMITS.headerCount)) {
    out[bounded(name, DEAD_LETTER_LIMITS.headerNameChars)] = bounded(value, DEAD_LETTER_LIMITS.headerValueChars);
  }
  return out;
}

/**
 * Cut to `max` characters and made well-formed: a cut (or a hostile header)
 * can leave half a surrogate pair, which the dead letter's own consumers
 * would refuse.
 */
function bounded(text: string, max: number): string {
  return toWellFormedText(text.length > max ? text.slice(0, max) : text);
}
