import { plannedLintRules } from './planned-lint-rules';

describe('plannedLintRules', () => {
  it('reads the fixable rules the planner named, not the unfixable ones', () => {
    const description = '2 findings ESLint can fix automatically:\nprefer-const (line 3): x is never reassigned\nquotes (line 4): Strings must use doublequote.\nNot fixable automatically (not part of this change):\nno-debugger (line 9): Unexpected debugger';
    expect(plannedLintRules(description)).toEqual(['prefer-const', 'quotes']);
  });

  it('keeps scoped rule names and names each rule once', () => {
    expect(plannedLintRules('2 findings ESLint can fix automatically:\n@typescript-eslint/prefer-as-const (line 1): a\n@typescript-eslint/prefer-as-const (line 2): b')).toEqual(['@typescript-eslint/prefer-as-const']);
  });

  it('names nothing for a description of another shape', () => {
    expect(plannedLintRules('')).toEqual([]);
    expect(plannedLintRules('Fix the lint in src/a.js')).toEqual([]);
  });
});
