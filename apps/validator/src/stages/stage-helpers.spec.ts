import { parseValidationSection, requiredStages, ValidationConfigError } from '../repository/validation-config';
import { newFindings } from './stage';
import { failingTests } from './unit-tests.stage';

describe('validation helpers', () => {
  it('counts only what the change added, whatever the line numbers', () => {
    const before = ['a|TS2322|x', 'a|TS2322|x', 'b|TS1|y'];
    const after = ['a|TS2322|x', 'a|TS2322|x', 'a|TS2322|x', 'c|TS2|z'];
    expect(newFindings(before, after, (s) => s)).toEqual(['a|TS2322|x', 'c|TS2|z']);
  });

  it('reads failing test names from TAP and spec-style output', () => {
    const output = ['# Subtest: adds up line items', 'ok 1 - adds up line items', 'not ok 2 - applies the discount', '  ---', '✕ rounds cents (3 ms)', 'not ok 3 - applies the discount # TODO'].join('\n');
    expect(failingTests(output)).toEqual(['applies the discount', 'rounds cents']);
  });

  it('reads the validation section: required stages only add to the defaults', () => {
    const section = parseValidationSection('validation:\n  required: [ai-review]\n  timeouts: { unit-tests: 90s }\n  performance: { command: node bench.js, threshold: 15% }\n');
    expect(section.timeouts['unit-tests']).toBe(90_000);
    expect(section.performance).toMatchObject({ command: 'node bench.js', threshold: 0.15, runs: 3, min_delta_ms: 50 });
    expect([...requiredStages(['syntax', 'security'], section)]).toEqual(['syntax', 'security', 'ai-review']);
    expect(parseValidationSection(undefined).required).toEqual([]);
    expect(parseValidationSection('deployment:\n  environments: []\n').required).toEqual([]);
  });

  it('names the bad field of the validation section', () => {
    expect(() => parseValidationSection('validation:\n  required: [linting]\n')).toThrow(ValidationConfigError);
    expect(() => parseValidationSection('validation:\n  timeouts: { syntax: soon }\n')).toThrow(/timeouts\.syntax: must be a duration/);
    expect(() => parseValidationSection('validation:\n  unit_test: { command: x }\n')).toThrow(/Unrecognized key: "unit_test"/);
  });
});
