/**
 * Checks on untrusted JSON text that must run before `JSON.parse` and schema
 * validation: zod validates recursively, so a value nested a few thousand
 * levels deep overflows the stack, and a `\ud800` escape parses into a
 * string that cannot be encoded back (to Redis, to a log, to a dead letter)
 * without turning into something else.
 *
 * One linear pass over the characters, no allocation per character: far
 * cheaper than the parse that follows it.
 */

/** Deeper than any message or request body of the mesh nests; far below what overflows the stack. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The first reason the text must not be parsed, or undefined when it may be.
 * Only nesting depth and lone surrogate escapes are judged here; anything
 * else malformed is left to `JSON.parse`, which names it better.
 */
export function jsonTextProblem(text: string, maxDepth = MAX_JSON_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  const length = text.length;
  for (let i = 0; i < length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === QUOTE) inString = false;
      else if (c === BACKSLASH) {
        if (text.charCodeAt(i + 1) !== LOWER_U) {
          i += 1;
          continue;
        }
        const unit = hex4(text, i + 2);
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const next = text.charCodeAt(i + 6) === BACKSLASH && text.charCodeAt(i + 7) === LOWER_U ? hex4(text, i + 8) : -1;
          if (next < 0xdc00 || next > 0xdfff) return loneSurrogate(unit, i);
          i += 11;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          return loneSurrogate(unit, i);
        } else {
          i += 5;
        }
      } else if (c >= 0xd800 && c <= 0xdfff) {
        // A raw surrogate is only well-formed as a high one followed by a low one.
        const next = text.charCodeAt(i + 1);
        if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) return loneSurrogate(c, i);
        i += 1;
      }
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return `JSON nested deeper than ${maxDepth} levels (at character ${i})`;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return undefined;
}

/** The value of four hex digits at `at`, or -1 (JSON.parse reports the bad escape). */
function hex4(text: string, at: number): number {
  let value = 0;
  for (let k = at; k < at + 4; k += 1) {
    const c = text.charCodeAt(k);
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

function loneSurrogate(unit: number, at: number): string {
  return `lone surrogate \\u${unit.toString(16).padStart(4, '0')} in a string (at character ${at}): not valid Unicode`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or undefined when they are not valid UTF-8 (which JSON must be). */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with every lone surrogate replaced by U+FFFD (String.prototype.toWellFormed, before ES2024). */
export function toWellFormedText(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}
