import { jsonTextProblem } from '@autocode/contracts';

describe('JSON bodies judged by the shared rule (jsonTextProblem)', () => {
  it('accepts ordinary JSON, proper surrogate pairs and escapes that only look like surrogates', () => {
    expect(jsonTextProblem('{"a":[1,{"b":"x"}],"c":"\\u00e9\\"{{{"}')).toBeUndefined();
    expect(jsonTextProblem('{"emoji":"\\ud83d\\ude00"}')).toBeUndefined();
    expect(jsonTextProblem('{"literal":"\\\\ud800"}')).toBeUndefined();
    expect(jsonTextProblem('"[[[[[[[[[[[[[[[["', 3)).toBeUndefined();
  });

  it('names a lone high or low surrogate', () => {
    expect(jsonTextProblem('{"correlationId":"\\ud800"}')).toMatch(/lone surrogate \\ud800/);
    expect(jsonTextProblem('{"x":"\\uDC00"}')).toMatch(/lone surrogate \\udc00/);
    expect(jsonTextProblem('{"x":"\\ud800\\u0041"}')).toMatch(/lone surrogate/);
    expect(jsonTextProblem('{"\\ud800":1}')).toMatch(/lone surrogate/);
  });

  it('refuses nesting past the limit, naming it', () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    expect(jsonTextProblem(deep)).toMatch(/nested deeper than 64 levels/);
    expect(jsonTextProblem(`${'{"a":'.repeat(5)}1${'}'.repeat(5)}`, 5)).toBeUndefined();
    expect(jsonTextProblem(`${'{"a":'.repeat(6)}1${'}'.repeat(6)}`, 5)).toMatch(/deeper than 5/);
  });
});
