import { isDeepStrictEqual } from 'node:util';
import { propertyKey, quote } from './sample-values';

const MAX_LITERAL_LENGTH = 1200;
const MAX_DEPTH = 6;

/**
 * JavaScript source for a value the recorder saw, such that evaluating the
 * source gives a value deep-strict-equal to it; undefined for what cannot be
 * written down faithfully (class instances, functions, symbols, cycles) or
 * would be too long to read.
 */
export function literalOf(value: unknown): string | undefined {
  const source = write(value, 0, new Set());
  if (source === undefined || source.length > MAX_LITERAL_LENGTH) return undefined;
  return source;
}

function write(value: unknown, depth: number, seen: Set<object>): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
    case 'number':
      if (Object.is(value, -0)) return '-0';
      if (Number.isNaN(value)) return 'NaN';
      if (value === Infinity) return 'Infinity';
      if (value === -Infinity) return '-Infinity';
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return quote(value);
    case 'symbol':
    case 'function':
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (seen.has(object)) return undefined;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      if (Object.keys(object).length !== object.length) return undefined; // holes or extra properties
      const items = object.map((item) => write(item, depth + 1, seen));
      return items.some((i) => i === undefined) ? undefined : `[${items.join(', ')}]`;
    }
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? `new Date(NaN)` : `new Date('${object.toISOString()}')`;
    if (object instanceof RegExp) return String(object);
    if (object instanceof Map) {
      const entries = [...object.entries()].map(([k, v]) => {
        const key = write(k, depth + 1, seen);
        const val = write(v, depth + 1, seen);
        return key === undefined || val === undefined ? undefined : `[${key}, ${val}]`;
      });
      return entries.some((e) => e === undefined) ? undefined : `new Map([${entries.join(', ')}])`;
    }
    if (object instanceof Set) {
      const items = [...object].map((item) => write(item, depth + 1, seen));
      return items.some((i) => i === undefined) ? undefined : `new Set([${items.join(', ')}])`;
    }
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) return undefined;
    if (Object.getOwnPropertySymbols(object).length) return undefined;
    const entries = Object.entries(object).map(([k, v]) => {
      const val = write(v, depth + 1, seen);
      return val === undefined ? undefined : `${propertyKey(k)}: ${val}`;
    });
    if (entries.some((e) => e === undefined)) return undefined;
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  } finally {
    seen.delete(object);
  }
}

/** Whether the literal really stands for the value (a guard against anything `write` got wrong). */
export function literalMatches(source: string, value: unknown): boolean {
  try {
    return isDeepStrictEqual(new Function(`return (${source});`)(), value);
  } catch {
    return false;
  }
}

/** What to assert about a value that has no literal: its type, and its class when it has one. */
export function typeDescription(value: unknown): { typeOf: string; className?: string } {
  const typeOf = value === null ? 'object' : typeof value;
  if (typeOf !== 'object' || value === null) return { typeOf };
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return { typeOf, ...(typeof name === 'string' && name && name !== 'Object' ? { className: name } : {}) };
}
