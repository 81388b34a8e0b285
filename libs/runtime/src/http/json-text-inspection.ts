/**
 * Nesting deeper than this is refused before parsing: recursive validators
 * and serialisers overflow the stack somewhere past a few thousand levels,
 * and no request of ours needs more than a few dozen.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * What is unsafe about a JSON text, or undefined: nesting deeper than
 * `maxDepth`, or an escaped lone surrogate (`"\ud800"`), which JSON.parse
 * accepts but which cannot be encoded as UTF-8 later (Redis, Kafka, logs).
 * One linear pass over the raw text, so it costs no more than parsing.
 * Raw (unescaped) surrogates cannot occur: decoding UTF-8 replaces them.
 */
export function inspectJsonText(text: string, maxDepth = MAX_JSON_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x22 /* " */) inString = false;
      else if (c === 0x5c /* \ */) {
        if (text.charCodeAt(i + 1) !== 0x75 /* u */) {
          i += 1;
          continue;
        }
        const unit = hexUnit(text, i + 2);
        i += 5;
        if (unit === undefined || unit < 0xd800 || unit > 0xdfff) continue;
        const next = text.startsWith('\\u', i + 1) ? hexUnit(text, i + 3) : undefined;
        if (unit <= 0xdbff && next !== undefined && next >= 0xdc00 && next <= 0xdfff) {
          i += 6; // a proper surrogate pair
          continue;
        }
        return `a string holds a lone surrogate (\\u${unit.toString(16)} at character ${i - 5}); strings must be valid Unicode`;
      }
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth += 1;
      if (depth > maxDepth) return `JSON nested deeper than ${maxDepth} levels (at character ${i})`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth -= 1;
  }
  return undefined;
}

function hexUnit(text: string, at: number): number | undefined {
  const hex = text.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? Number.parseInt(hex, 16) : undefined;
}

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

/** A body-parser `verify` hook that refuses unsafe JSON bodies (see inspectJsonText). */
export function verifyJsonBody(maxDepth = MAX_JSON_DEPTH) {
  return (_req: unknown, _res: unknown, buffer: Buffer, encoding: string): void => {
    const problem = inspectJsonText(buffer.toString((encoding as BufferEncoding) || 'utf8'), maxDepth);
    if (problem) throw new UnsafeJsonBodyError(problem);
  };
}
