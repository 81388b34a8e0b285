import { jsonTextProblem, MAX_JSON_DEPTH } from '@autocode/contracts';

/** body-parser keeps an error's `type`; the error filter maps this one to 400. */
export const UNSAFE_JSON_TYPE = 'entity.unsafe.json';

/** A JSON body refused before parsing; the error filter answers it with 400 and this message. */
export class UnsafeJsonBodyError extends Error {
  readonly type = UNSAFE_JSON_TYPE;
  constructor(problem: string) {
    super(problem);
    this.name = 'UnsafeJsonBodyError';
  }
}

/**
 * A body-parser `verify` hook that refuses unsafe JSON bodies: too deep or
 * with a lone surrogate, judged by the same rule the Kafka consumers use.
 */
export function verifyJsonBody(maxDepth = MAX_JSON_DEPTH) {
  return (_req: unknown, _res: unknown, buffer: Buffer, encoding: string): void => {
    const problem = jsonTextProblem(buffer.toString((encoding as BufferEncoding) || 'utf8'), maxDepth);
    if (problem) throw new UnsafeJsonBodyError(problem);
  };
}
