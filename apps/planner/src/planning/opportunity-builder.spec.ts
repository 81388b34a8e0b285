import { OPPORTUNITY_KIND_NAMES, type OpportunityKind } from '@autocode/contracts';
import type { FileAnalysis } from '../analysis/source/file-analysis';
import { analyseSourceText } from '../analysis/source/source-facts.analyser';
import { type BuildInput, buildCandidates, fingerprintOf, isSecurityRule, rank } from './opportunity-builder';

const lint = (ruleId: string, line: number, source: string) => ({ ruleId, severity: 2 as const, message: `${ruleId} says no`, line, fixable: true, source });

function input(analysis: Map<string, FileAnalysis>, overrides: Partial<BuildInput> = {}): BuildInput {
  return {
    repository: '/repos/shop',
    commit: 'a'.repeat(40),
    lookbackHours: 24,
    commits: [],
    files: new Set([...analysis.keys(), 'test/a.test.js', 'package.json']),
    analysis,
    coverage: [],
    failedTests: [],
    vulnerable: [],
    regressions: [],
    kinds: new Set(OPPORTUNITY_KIND_NAMES),
    options: { coverageThreshold: 80, coverageMinLines: 10, maxFilesPerTask: 50 },
    ...overrides,
  };
}

describe('opportunity fingerprints', () => {
  const text = `import { unused } from './x.js';\nexport function f(a) {\n  var b = a;\n  return b == 1 ? eval('1') : 2;\n}\n`;
  const shifted = `// a new header comment\n\n${text}`;

  function lintOf(source: string): FileAnalysis {
    const lines = source.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    return {
      facts: analyseSourceText('src/f.js', source, { complexityThreshold: 2 }),
      lint: [lint('no-var', at('var b'), lines[at('var b') - 1].trim()), lint('eqeqeq', at('b == 1'), lines[at('b == 1') - 1].trim()), lint('no-eval', at('eval('), lines[at('eval(') - 1].trim())],
      formatted: false,
    };
  }

  it('do not change when an unrelated edit shifts the lines', () => {
    const before = buildCandidates(input(new Map([['src/f.js', lintOf(text)]])));
    const after = buildCandidates(input(new Map([['src/f.js', lintOf(shifted)]])));
    expect(before.map((c) => c.kind)).toEqual(['security-finding', 'complexity-hotspot', 'undocumented-export', 'untested-module', 'lint-finding', 'unused-imports', 'unformatted-file']);
    expect(after.map((c) => c.fingerprint)).toEqual(before.map((c) => c.fingerprint));
    // …but the line numbers in the descriptions did move.
    expect(after.find((c) => c.kind === 'lint-finding')!.description).not.toEqual(before.find((c) => c.kind === 'lint-finding')!.description);
  });

  it('change with the finding, the file, the kind and the repository', () => {
    const base = fingerprintOf('/r', 'lint-finding', ['a.js'], ['no-var x']);
    expect(fingerprintOf('/r', 'lint-finding', ['a.js'], ['no-var x'])).toBe(base);
    expect(fingerprintOf('/r', 'lint-finding', ['a.js'], ['no-var y'])).not.toBe(base);
    expect(fingerprintOf('/r', 'lint-finding', ['b.js'], ['no-var x'])).not.toBe(base);
    expect(fingerprintOf('/r', 'unused-imports', ['a.js'], ['no-var x'])).not.toBe(base);
    expect(fingerprintOf('/s', 'lint-finding', ['a.js'], ['no-var x'])).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{32}$/);
  });

  it('tells security rules from style rules', () => {
    expect(isSecurityRule('no-eval')).toBe(true);
    expect(isSecurityRule('security/detect-object-injection')).toBe(true);
    expect(isSecurityRule('no-var')).toBe(false);
    expect(isSecurityRule(null)).toBe(false);
  });
});

describe('what is planned of the findings', () => {
  it('plans only the ESLint findings its fixer can fix', () => {
    const unfixable = { ...lint('no-debugger', 2, 'debugger;'), fixable: false };
    const onlyUnfixable = buildCandidates(input(new Map([['src/a.js', { facts: null, lint: [unfixable], formatted: null }]])));
    expect(onlyUnfixable).toEqual([]);
    const mixed = buildCandidates(input(new Map([['src/a.js', { facts: null, lint: [unfixable, lint('no-var', 3, 'var a = 1;')], formatted: null }]])));
    expect(mixed.map((c) => [c.kind, c.title])).toEqual([['lint-finding', 'Fix 1 ESLint finding in src/a.js']]);
    expect(mixed[0].description).toBe('1 finding ESLint can fix automatically:\nno-var (line 3): no-var says no\nNot fixable automatically (not part of this change):\nno-debugger (line 2): no-debugger says no');
    // The fingerprint is the fixable findings': an unfixable one coming or going changes nothing planned.
    expect(mixed[0].fingerprint).toBe(buildCandidates(input(new Map([['src/a.js', { facts: null, lint: [lint('no-var', 3, 'var a = 1;')], formatted: null }]])))[0].fingerprint);
  });

  it('leaves documentation doc-comments cannot add to the model: TypeScript exports and JavaScript classes', () => {
    const facts = (path: string, text: string): FileAnalysis => ({ facts: analyseSourceText(path, text, { complexityThreshold: 50 }), lint: null, formatted: null });
    const built = buildCandidates(
      input(
        new Map([
          ['src/a.ts', facts('src/a.ts', 'export function a(x: number): number {\n  return x;\n}\n')],
          ['src/b.js', facts('src/b.js', 'export function b(x) {\n  return x;\n}\nexport class B {}\n')],
          ['src/c.js', facts('src/c.js', 'export class C {}\n')],
        ]),
        { kinds: new Set<OpportunityKind>(['undocumented-export']) },
      ),
    );
    expect(built.map((c) => [c.files[0], c.generators])).toEqual([
      ['src/b.js', undefined],
      ['src/a.ts', ['llm']],
      ['src/c.js', ['llm']],
    ]);
  });

  it('hashes the content of the files, so a changed file is a new input', () => {
    const analysis = new Map<string, FileAnalysis>([['src/f.js', { facts: null, lint: null, formatted: false }]]);
    const before = buildCandidates(input(analysis, { blobs: new Map([['src/f.js', 'a'.repeat(40)]]) }));
    const after = buildCandidates(input(analysis, { blobs: new Map([['src/f.js', 'b'.repeat(40)]]) }));
    expect(after[0].fingerprint).toBe(before[0].fingerprint);
    expect(after[0].inputHash).not.toBe(before[0].inputHash);
    expect(before[0].inputHash).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('ranking', () => {
  const candidate = (kind: OpportunityKind, file: string, weight = 1, recent = false) => ({
    kind,
    priority: ({ 'failing-test': 'CRITICAL', 'complexity-hotspot': 'HIGH', 'low-coverage': 'HIGH', 'undocumented-export': 'MEDIUM', 'lint-finding': 'LOW', 'unformatted-file': 'LOW' } as const)[kind as 'lint-finding'],
    fingerprint: fingerprintOf('/r', kind, [file], []),
    title: `${kind} ${file}`,
    description: '',
    files: [file],
    weight,
    recent,
    inputHash: '',
  });

  it('orders by priority, then the kinds table, then recent changes, then weight, then path', () => {
    const ranked = rank([
      candidate('unformatted-file', 'a.js'),
      candidate('lint-finding', 'z.js', 1),
      candidate('lint-finding', 'y.js', 5),
      candidate('lint-finding', 'x.js', 1, true),
      candidate('undocumented-export', 'a.js'),
      candidate('low-coverage', 'a.js'),
      candidate('complexity-hotspot', 'b.js'),
      candidate('failing-test', 'test/a.test.js'),
    ]);
    expect(ranked.map((c) => c.title)).toEqual([
      'failing-test test/a.test.js',
      'complexity-hotspot b.js',
      'low-coverage a.js',
      'undocumented-export a.js',
      'lint-finding x.js',
      'lint-finding y.js',
      'lint-finding z.js',
      'unformatted-file a.js',
    ]);
  });

  it('builds only the requested kinds, and skips stale reports about tests that are gone', () => {
    const analysis = new Map<string, FileAnalysis>([['src/f.js', { facts: null, lint: [lint('no-var', 1, 'var a = 1;')], formatted: false }]]);
    const built = buildCandidates(
      input(analysis, {
        kinds: new Set<OpportunityKind>(['unformatted-file', 'failing-test']),
        failedTests: [
          { file: 'test/gone.test.js', name: 'old', message: 'x' },
          { file: 'test/a.test.js', name: 'current', message: 'expected 1' },
        ],
      }),
    );
    expect(built.map((c) => [c.kind, c.files])).toEqual([
      ['failing-test', ['test/a.test.js']],
      ['unformatted-file', ['src/f.js']],
    ]);
  });
});
