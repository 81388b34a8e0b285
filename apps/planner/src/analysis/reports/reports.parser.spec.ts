import { linePercent, parseCoverageSummary, parseLcov } from './coverage-report.parser';
import { RepoPaths } from './repo-paths';
import { parseJestJson, parseJunitXml } from './test-report.parser';

const paths = new RepoPaths(['src/a.js', 'src/b.ts', 'lib/a.js', 'test/a.test.js', 'test/b.spec.ts']);
const isTest = (p: string) => /\.(test|spec)\./.test(p);

describe('RepoPaths', () => {
  it('maps CI paths, URLs and stack frames to tracked files by their longest shared suffix', () => {
    expect(paths.resolve('./src/a.js')).toBe('src/a.js');
    expect(paths.resolve('/home/ci/build/repo/src/a.js')).toBe('src/a.js');
    expect(paths.resolve('file:///home/ci/build/repo/lib/a.js:3:14')).toBe('lib/a.js');
    expect(paths.resolve('/elsewhere/other/a.js')).toBeUndefined();
    expect(paths.mentionedIn('at fn (file:///tmp/x/test/a.test.js:9:10)\n at other (/tmp/x/src/b.ts:1:1)')).toEqual(['test/a.test.js', 'src/b.ts']);
  });
});

describe('coverage reports', () => {
  it('reads lcov: LF/LH when present, else DA lines, and the functions never called', () => {
    const lcov = [
      'TN:',
      'SF:/ci/repo/src/a.js',
      'FN:1,used',
      'FN:5,unused',
      'FNDA:3,used',
      'FNDA:0,unused',
      'DA:1,3',
      'DA:2,0',
      'DA:3,1',
      'end_of_record',
      'SF:src/b.ts',
      'LF:10',
      'LH:9',
      'end_of_record',
      'SF:/not/in/repo.js',
      'DA:1,1',
      'end_of_record',
    ].join('\n');
    expect(parseLcov(lcov, paths)).toEqual([
      { file: 'src/a.js', linesFound: 3, linesHit: 2, functionsFound: 2, functionsHit: 1, uncoveredFunctions: ['unused'] },
      { file: 'src/b.ts', linesFound: 10, linesHit: 9, functionsFound: 0, functionsHit: 0, uncoveredFunctions: [] },
    ]);
    expect(linePercent({ linesFound: 3, linesHit: 2 })).toBeCloseTo(66.67, 1);
  });

  it('reads istanbul coverage-summary.json and keeps the better of two entries for a file', () => {
    const summary = JSON.stringify({
      total: { lines: { total: 20, covered: 10 } },
      '/ci/repo/src/a.js': { lines: { total: 10, covered: 2, pct: 20 }, functions: { total: 2, covered: 1 } },
      'src/b.ts': { lines: { total: 10, covered: 8 }, functions: { total: 1, covered: 1 } },
    });
    const parsed = parseCoverageSummary(summary, paths);
    expect(parsed.map((c) => [c.file, c.linesHit, c.linesFound])).toEqual([
      ['src/a.js', 2, 10],
      ['src/b.ts', 8, 10],
    ]);
    expect(() => parseCoverageSummary('[]', paths)).toThrow(/JSON object/);
  });
});

describe('test reports', () => {
  it('reads failures from node --test JUnit output, finding the test file in the stack', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testcase name="passes" time="0.1" classname="test"/>
  <testcase name="adds up" time="0.1" classname="test" failure="Expected values to be strictly equal:99 !== 100">
    <failure type="testCodeFailure" message="Expected values to be strictly equal:99 !== 100">
Error [ERR_TEST_FAILURE]: Expected values to be strictly equal:
    at TestContext.&lt;anonymous&gt; (file:///ci/repo/test/a.test.js:9:10)
    </failure>
  </testcase>
</testsuites>`;
    expect(parseJunitXml(xml, paths, isTest)).toEqual([{ file: 'test/a.test.js', name: 'adds up', message: expect.stringContaining('99 !== 100') }]);
  });

  it('reads jest-junit style suites with file attributes, errors as failures', () => {
    const xml = `<testsuites><testsuite name="b" file="test/b.spec.ts">
      <testcase classname="b works" name="b works"/>
      <testcase classname="b breaks" name="b breaks"><error message="TypeError: x is undefined"/></testcase>
    </testsuite></testsuites>`;
    expect(parseJunitXml(xml, paths, isTest)).toEqual([{ file: 'test/b.spec.ts', name: 'b breaks', message: 'TypeError: x is undefined' }]);
    expect(() => parseJunitXml('<html/>', paths, isTest)).toThrow(/not a JUnit report/);
  });

  it('reads jest --json reports, including a suite that failed to run', () => {
    const json = JSON.stringify({
      testResults: [
        {
          name: '/ci/repo/test/a.test.js',
          status: 'failed',
          assertionResults: [
            { status: 'passed', fullName: 'ok' },
            { status: 'failed', fullName: 'a totals', failureMessages: ['\u001b[31mexpected 3, got 2\u001b[39m\n    at Object.<anonymous> (/ci/repo/test/a.test.js:4:5)'] },
          ],
        },
        { name: '/ci/repo/test/b.spec.ts', status: 'failed', message: 'Cannot find module ../src/gone', assertionResults: [] },
      ],
    });
    expect(parseJestJson(json, paths, isTest)).toEqual([
      { file: 'test/a.test.js', name: 'a totals', message: expect.stringMatching(/^expected 3, got 2/) },
      { file: 'test/b.spec.ts', name: '(test file failed to run)', message: 'Cannot find module ../src/gone' },
    ]);
    expect(() => parseJestJson('{}', paths, isTest)).toThrow(/testResults/);
  });
});
