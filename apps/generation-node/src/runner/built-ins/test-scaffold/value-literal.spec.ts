import { literalMatches, literalOf, typeDescription } from './value-literal';
import { planCalls } from './behaviour-recorder';

describe('literalOf', () => {
  it.each([
    [42, '42'],
    [-0, '-0'],
    [NaN, 'NaN'],
    [-Infinity, '-Infinity'],
    [10n, '10n'],
    ["it's", "'it\\'s'"],
    [null, 'null'],
    [undefined, 'undefined'],
    [[1, 'a', [true]], "[1, 'a', [true]]"],
    [{ a: 1, 'b-c': [2] }, "{ a: 1, 'b-c': [2] }"],
    [new Date('2024-01-02T03:04:05.000Z'), "new Date('2024-01-02T03:04:05.000Z')"],
    [new Map([['k', 1]]), "new Map([['k', 1]])"],
    [new Set([1]), 'new Set([1])'],
  ])('writes %p as %s, which evaluates back to it', (value, source) => {
    expect(literalOf(value)).toBe(source);
    expect(literalMatches(source, value)).toBe(true);
  });

  it('declines what it cannot write faithfully', () => {
    class Money {
      cents = 1;
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(literalOf(new Money())).toBeUndefined();
    expect(literalOf(() => 1)).toBeUndefined();
    expect(literalOf(cyclic)).toBeUndefined();
    expect(literalOf(Symbol('s'))).toBeUndefined();
    // eslint-disable-next-line no-sparse-arrays
    expect(literalOf([1, , 3])).toBeUndefined();
    expect(literalOf('x'.repeat(5000))).toBeUndefined();
  });

  it('describes what has no literal by type and class', () => {
    class Money {}
    expect(typeDescription(new Money())).toEqual({ typeOf: 'object', className: 'Money' });
    expect(typeDescription(() => 1)).toEqual({ typeOf: 'function' });
  });
});

describe('planCalls', () => {
  it('makes up to three varied calls, plus each value of a literal union', () => {
    const calls = planCalls([
      { name: 'cents', shape: { kind: 'number' }, optional: false, rest: false, origin: 'type' },
      { name: 'tier', shape: { kind: 'literal', values: ['basic', 'pro', 'vip'] }, optional: false, rest: false, origin: 'type' },
    ]);
    expect(typeof calls).not.toBe('string');
    expect((calls as Array<Array<{ source: string }>>).map((args) => args.map((a) => a.source).join(', '))).toEqual([
      "7, 'basic'",
      "0, 'pro'",
      "100, 'vip'",
      "7, 'pro'",
      "7, 'vip'",
    ]);
  });

  it('leaves out optional parameters it cannot make, and refuses required ones', () => {
    const unknown = { name: 'handle', shape: undefined, optional: true, rest: false, origin: 'none' as const };
    const required = { name: 'n', shape: { kind: 'number' as const }, optional: false, rest: false, origin: 'type' as const };
    expect((planCalls([required, unknown]) as unknown[][])[0]).toHaveLength(1);
    expect(planCalls([{ ...unknown, optional: false }])).toBe('no input can be made for parameter `handle`');
  });
});
