import { inspectJsonText } from './json-text-inspection';

describe('inspectJsonText', () => {
  it('accepts ordinary JSON, proper surrogate pairs and escapes that only look like surrogates', () => {
    expect(inspectJsonText('{"a":[1,{"b":"x"}],"c":"\\u00e9\\"{{{"}')).toBeUndefined();
    expect(inspectJsonText('{"emoji":"\\ud83d\\ude00"}')).toBeUndefined();
    expect(inspectJsonText('{"literal":"\\\\ud800"}')).toBeUndefined();
    expect(inspectJsonText('"[[[[[[[[[[[[[[[["', 3)).toBeUndefined();
  });

  it('names a lone high or low surrogate', () => {
    expect(inspectJsonText('{"correlationId":"\\ud800"}')).toMatch(/lone surrogate \(\\ud800/);
    expect(inspectJsonText('{"x":"\\uDC00"}')).toMatch(/lone surrogate \(\\udc00/);
    expect(inspectJsonText('{"x":"\\ud800\\u0041"}')).toMatch(/lone surrogate/);
    expect(inspectJsonText('{"\\ud800":1}')).toMatch(/lone surrogate/);
  });

  it('refuses nesting past the limit, naming it', () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    expect(inspectJsonText(deep)).toMatch(/nested deeper than 64 levels/);
    expect(inspectJsonText(`${'{"a":'.repeat(5)}1${'}'.repeat(5)}`, 5)).toBeUndefined();
    expect(inspectJsonText(`${'{"a":'.repeat(6)}1${'}'.repeat(6)}`, 5)).toMatch(/deeper than 5/);
  });
});
