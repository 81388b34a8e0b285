import type { Shape } from './type-shapes';

/**
 * Inputs made from shapes, three variants per shape (a typical value, an
 * empty or zero one, another typical one), each both as source text for the
 * test file and as the runtime value the recorder calls with. Fixed values,
 * so the same module always gets the same test.
 */

// 7 and 100 rather than 1 or 2: small values hide rounding, and multiplication by them hides little.
const NUMBERS = [7, 0, 100];
const STRINGS = ['Blue Widget', '', 'a-1'];
const BOOLEANS = [true, false, true];
const FIXED_DATE = '2024-01-02T03:04:05.000Z';

export const VARIANTS = 3;

export interface Sample {
  /** JavaScript source that evaluates to the value. */
  source: string;
  /** Builds a fresh copy of the value (objects are never shared between calls). */
  make(): unknown;
}

export function sampleFor(shape: Shape, variant: number): Sample | undefined {
  const v = variant % VARIANTS;
  switch (shape.kind) {
    case 'number':
      return constant(NUMBERS[v]);
    case 'string':
      return constant(STRINGS[v]);
    case 'boolean':
      return constant(BOOLEANS[v]);
    case 'bigint':
      return { source: `${NUMBERS[v]}n`, make: () => BigInt(NUMBERS[v]) };
    case 'literal':
      return constant(shape.values[v % shape.values.length]);
    case 'null':
      return constant(null);
    case 'undefined':
      return { source: 'undefined', make: () => undefined };
    case 'date':
      return { source: `new Date('${FIXED_DATE}')`, make: () => new Date(FIXED_DATE) };
    case 'map':
      return { source: 'new Map()', make: () => new Map() };
    case 'set':
      return { source: 'new Set()', make: () => new Set() };
    case 'function':
      // Hands back its first argument: a callback that neither throws nor hides what it was given.
      return { source: '(value) => value', make: () => (value: unknown) => value };
    case 'array': {
      const picks = v === 0 ? [0, 1] : v === 1 ? [] : [2];
      const items = picks.map((i) => sampleFor(shape.element, i));
      if (items.some((i) => i === undefined)) return v === 1 ? { source: '[]', make: () => [] } : undefined;
      const defined = items as Sample[];
      return { source: `[${defined.map((i) => i.source).join(', ')}]`, make: () => defined.map((i) => i.make()) };
    }
    case 'tuple': {
      const items = shape.elements.map((e) => sampleFor(e, v));
      if (items.some((i) => i === undefined)) return undefined;
      const defined = items as Sample[];
      return { source: `[${defined.map((i) => i.source).join(', ')}]`, make: () => defined.map((i) => i.make()) };
    }
    case 'object': {
      const entries: Array<[string, Sample]> = [];
      for (const property of shape.properties) {
        // Optional properties appear in the first variant only, so both cases are exercised.
        if (property.optional && v !== 0) continue;
        const sample = sampleFor(property.shape, v);
        if (!sample) {
          if (property.optional) continue;
          return undefined;
        }
        entries.push([property.name, sample]);
      }
      return {
        source: entries.length ? `{ ${entries.map(([name, s]) => `${propertyKey(name)}: ${s.source}`).join(', ')} }` : '{}',
        make: () => Object.fromEntries(entries.map(([name, s]) => [name, s.make()])),
      };
    }
    case 'unknown':
      return undefined;
  }
}

function constant(value: string | number | boolean | null): Sample {
  return { source: typeof value === 'string' ? quote(value) : String(value), make: () => value };
}

export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}
