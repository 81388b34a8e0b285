import { OPPORTUNITY_KIND_NAMES, OPPORTUNITY_KINDS, planOutputSchema, priorityRank, type PlanOutput } from '@autocode/contracts';
import { waitUntil } from '@autocode/testing';
import { commit, sampleRepo } from './git-fixtures';
import { PlannerHarness } from './planner-harness';

const NS_PER_MS = 1_000_000n;
const at = (msAgo: number, i: number) => String(BigInt(Date.now() - msAgo) * NS_PER_MS + BigInt(i));

/** Where the bundled sample repository's README says each kind is. */
const EXPECTED_FILES: Record<string, string[]> = {
  'failing-test': ['test/known-failing/split.test.js', 'src/split.js'],
  'vulnerable-dependency': ['package.json', 'package-lock.json'],
  'security-finding': ['src/rules.js'],
  'performance-regression': ['src/inventory.js'],
  'complexity-hotspot': ['src/shipping.js'],
  'low-coverage': ['src/inventory.js'],
  'undocumented-export': ['src/report.js'],
  'untested-module': ['src/report.js'],
  'lint-finding': ['src/legacy-tax.js'],
  'unused-imports': ['src/pricing.js'],
  'unformatted-file': ['src/strings.js'],
};

/**
 * The planner on the bundled sample repository, against the real git,
 * Redis and InfluxDB: every kind of opportunity is found and ranked, and
 * re-planning plans nothing new.
 */
describe('planning the bundled sample repository', () => {
  const sample = sampleRepo();
  const harness = new PlannerHarness();
  const params = { repository: sample.path, ref: 'HEAD', lookbackHours: 24 };
  let firstTask: string;
  let first: PlanOutput;

  beforeAll(async () => {
    // The application's metrics: inventory.lowStock fails and slows down in the last hour.
    const measurement = harness.config.PLANNER_APP_METRICS_MEASUREMENT;
    const points = [];
    for (let i = 0; i < 200; i += 1) {
      points.push({ measurement, tags: { operation: 'inventory.lowStock', file: 'src/inventory.js' }, fields: { duration_ms: 20 + (i % 5), error: 0 }, timestampNs: at(3 * 3600_000, i) });
    }
    for (let i = 0; i < 100; i += 1) {
      points.push({ measurement, tags: { operation: 'inventory.lowStock', file: 'src/inventory.js' }, fields: { duration_ms: 200 + (i % 5), error: i % 7 === 0 ? 1 : 0 }, timestampNs: at(10 * 60_000, i) });
    }
    await harness.influx.write(points);
    firstTask = harness.nextTaskId();
    first = await harness.service.plan(params, harness.context(firstTask));
  });

  afterAll(async () => {
    await harness.close();
    sample.remove();
  });

  it('finds every kind of opportunity, where the sample has it, with a valid plan output', () => {
    expect(() => planOutputSchema.parse(first)).not.toThrow();
    const kinds = new Set(first.opportunities.map((o) => o.kind));
    expect([...kinds].sort()).toEqual([...OPPORTUNITY_KIND_NAMES].sort());
    for (const [kind, files] of Object.entries(EXPECTED_FILES)) {
      const found = first.opportunities.filter((o) => o.kind === kind);
      expect({ kind, files: found.map((o) => o.files) }).toEqual({ kind, files: kind === 'performance-regression' ? [files, files] : [files] });
    }
    // Nothing else: the rest of the sample is clean.
    expect(first.opportunities).toHaveLength(Object.keys(EXPECTED_FILES).length + 2);
    expect(first.analyses?.map((a) => [a.name, a.status])).toEqual([
      ['application-metrics', 'ran'],
      ['coverage-reports', 'ran'],
      ['dependency-advisories', 'ran'],
      ['eslint', 'ran'],
      ['format-check', 'ran'],
      ['syntax-tree', 'ran'],
      ['test-reports', 'ran'],
    ]);
    // The sample's own ESLint and Prettier (its devDependencies, installed from its lockfile), not the mesh's.
    expect(first.analyses?.find((a) => a.name === 'eslint')?.detail).toMatch(/the repository's ESLint 9\.39\.5 with eslint\.config\.js$/);
    expect(first.analyses?.find((a) => a.name === 'format-check')?.detail).toMatch(/the repository's prettier 3\.3\.3 check \(\.prettierrc\.json\)$/);
  });

  it('ranks CRITICAL → HIGH → MEDIUM → LOW, kinds in table order within a priority', () => {
    const ranks = first.opportunities.map((o) => priorityRank(o.priority));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    const order = first.opportunities.map((o) => OPPORTUNITY_KIND_NAMES.indexOf(o.kind as never));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(first.opportunities[0]).toMatchObject({ kind: 'failing-test', priority: 'CRITICAL', generator: 'llm' });
    expect(first.opportunities.at(-1)).toMatchObject({ kind: 'recent-changes', priority: 'LOW', generator: 'noop' });
    for (const o of first.opportunities) {
      expect({ kind: o.kind, priority: o.priority, generator: o.generator }).toEqual({
        kind: o.kind,
        priority: OPPORTUNITY_KINDS[o.kind as keyof typeof OPPORTUNITY_KINDS].priority,
        generator: OPPORTUNITY_KINDS[o.kind as keyof typeof OPPORTUNITY_KINDS].generator,
      });
    }
    const vulnerable = first.opportunities.find((o) => o.kind === 'vulnerable-dependency')!;
    expect(vulnerable.title).toBe('Upgrade lodash 4.17.20 to 4.17.21 or later (GHSA-35jh-r3h4-6jhm)');
    expect(first.opportunities.filter((o) => o.kind === 'performance-regression').map((o) => o.title)).toEqual([
      'Error rate of inventory.lowStock went up (src/inventory.js)',
      'Latency of inventory.lowStock went up (src/inventory.js)',
    ]);
  });

  it('plans nothing new when the same commit is planned again, from the per-file cache', async () => {
    const again = await harness.service.plan(params, harness.context());
    expect(again.commit).toBe(first.commit);
    expect(again.opportunities).toEqual([]);
    expect(again.suppressed?.map((s) => [s.fingerprint, s.reason])).toEqual(first.opportunities.map((o) => [o.fingerprint, 'planned']));
    expect(again.stats).toMatchObject({ filesAnalysed: first.stats.filesAnalysed, cacheHits: first.stats.filesAnalysed, found: first.opportunities.length });
  });

  it('gives a retried attempt of the same planning task its own opportunities back', async () => {
    const retried = await harness.service.plan(params, harness.context(firstTask));
    expect(retried.opportunities.map((o) => o.fingerprint)).toEqual(first.opportunities.map((o) => o.fingerprint));
  });

  it('keeps fingerprints when an edit only shifts lines, plans a finding again once for its changed file, and plans a finding that really is new', async () => {
    const original = first.opportunities.find((o) => o.kind === 'lint-finding')!;
    const taxSource = `/**
 * Sales tax on \`cents\` for a US state, rounded to the nearest cent.
 * @param {number} cents
 * @param {string} state two-letter state code
 * @returns {number}
 */
export function taxCents(cents, state) {
  var rates = { CA: 0.0725, NY: 0.04, TX: 0.0625 };
  let rate = rates[state];
  if (rate == undefined) {
    return 0;
  }
  return Math.round(cents * rate);
}
`;
    commit(sample.path, 'A header for the tax table', { 'src/legacy-tax.js': `// Rates as of 2026.\n\n${taxSource}` });
    const shifted = await harness.service.plan(params, harness.context());
    // The lint findings moved two lines down: the same findings, by the same fingerprint. Their file's content
    // changed, so they are planned again for it (what ended without a change may work now); nothing else is.
    expect(shifted.opportunities.map((o) => o.kind)).toEqual(['lint-finding', 'recent-changes']);
    expect(shifted.opportunities[0]).toMatchObject({ fingerprint: original.fingerprint, files: ['src/legacy-tax.js'] });
    // Incremental: only the changed file was analysed again.
    expect(shifted.stats.cacheHits).toBe(shifted.stats.filesAnalysed! - 1);
    // At that content it is planned once.
    const replanned = await harness.service.plan(params, harness.context());
    expect(replanned.opportunities).toEqual([]);
    expect(replanned.suppressed?.find((s) => s.kind === 'lint-finding')).toEqual({ fingerprint: original.fingerprint, kind: 'lint-finding', files: ['src/legacy-tax.js'], reason: 'planned' });

    commit(sample.path, 'Another var', { 'src/legacy-tax.js': `// Rates as of 2026.\n\n${taxSource.replace('let rate', 'var rate')}` });
    const changed = await harness.service.plan(params, harness.context());
    const lint = changed.opportunities.find((o) => o.kind === 'lint-finding');
    expect(lint).toBeDefined();
    expect(lint!.fingerprint).not.toBe(original.fingerprint);
    expect(lint!.description).toMatch(/no-var \(line 10\)[\s\S]*no-var \(line 11\)/);
  });

  it('reports progress while it works and a planning_run point to InfluxDB', async () => {
    expect(harness.progress.map((p) => p.percent)).toEqual(expect.arrayContaining([5, 15, 70, 85]));
    expect(harness.progress[0].message).toMatch(/^analysing [0-9a-f]{8}$/);
    await harness.flushMetrics();
    const rows = await waitUntil('the planning_run points of the first task', async () => {
      const found = await harness.influx.query<{ opportunities: number; found: number; files_analysed: number }>(
        `SELECT "opportunities", "found", "files_analysed" FROM "planning_run" WHERE "task_id" = '${firstTask}'`,
      );
      return found.length === 2 ? found : undefined;
    });
    expect(rows.map((r) => [r.opportunities, r.found, r.files_analysed])).toEqual([
      [first.opportunities.length, first.opportunities.length, first.stats.filesAnalysed],
      [first.opportunities.length, first.opportunities.length, first.stats.filesAnalysed],
    ]);
  });
});
