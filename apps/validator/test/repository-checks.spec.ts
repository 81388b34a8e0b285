import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@autocode/testing';
import { readSource, stageOf, ValidationHarness, type FixtureRepo } from './validation-harness';

/** Installs from the real registry and runs every check twice in bubblewrap on a shared, busy machine. */
const TEST_TIMEOUT_MS = 420_000;

const PRICE = `/** Applies a percentage discount. */
function applyDiscount(amount, percent) {
  return amount - (amount * percent) / 100;
}

module.exports = { applyDiscount };
`;
const PRICE_TEST = `const { expect } = require('chai');
const { applyDiscount } = require('../src/price');

describe('applyDiscount', () => {
  it('takes the percentage off', () => {
    expect(applyDiscount(200, 10)).to.equal(180);
  });
});
`;
const BROKEN_PRICE = PRICE.replace('amount - (amount * percent) / 100', 'amount - percent');
const HARMLESS_PRICE = `${PRICE}\n/** Rounds to whole cents. */\nfunction roundCents(amount) {\n  return Math.round(amount * 100) / 100;\n}\n\nmodule.exports.roundCents = roundCents;\n`;

function mochaProject(name: string, scripts: Record<string, string> = {}): Record<string, string | object> {
  return {
    'package.json': { name, version: '1.0.0', private: true, scripts: { test: 'mocha', ...scripts }, devDependencies: { mocha: '10.8.2', chai: '4.5.0' } },
    'src/price.js': PRICE,
    'test/price.test.js': PRICE_TEST,
  };
}

/**
 * The repository's own checks judge a patch (SPEC F-46): fixture
 * repositories written here, their lockfiles made by the real managers,
 * installed from the real npm registry by the workspace runtime and run in
 * the real bubblewrap sandbox; baselines kept in the real Redis.
 */
describe('validator: the repository’s own checks', () => {
  let harness: ValidationHarness;

  beforeAll(async () => {
    harness = await ValidationHarness.create();
  });

  afterAll(async () => {
    await harness?.close();
  });

  describe('a mocha + chai repository (npm)', () => {
    let repo: FixtureRepo;

    beforeAll(async () => {
      repo = await harness.repo(mochaProject('mocha-chai-fixture'));
    }, TEST_TIMEOUT_MS);

    it('fails a patch that breaks a test, naming `test` with the assertion, and feeds it back', async () => {
      const output = await harness.validate(repo, { 'src/price.js': BROKEN_PRICE });
      expect(output.verdict).toBe('failed');
      const checks = stageOf(output, 'repository-checks');
      expect(checks).toMatchObject({ status: 'failed', required: true, summary: expect.stringMatching(/^the change breaks the repository's test \(passed without it\)/) });
      expect(checks.findings[0]).toMatch(/^test \(`npm run test`\) passed before the change and fails with it:\n/);
      expect(checks.findings[0]).toMatch(/AssertionError: expected 190 to equal 180/);
      // The built-in test stage steps aside for the repository's own test check.
      expect(stageOf(output, 'unit-tests')).toMatchObject({ status: 'skipped', required: false, summary: expect.stringMatching(/repository’s own test check/) });
      expect(output.stages.filter((s) => s.status === 'failed').map((s) => s.name)).toEqual(['repository-checks']);
      expect(output.feedback).toEqual(expect.arrayContaining([expect.stringMatching(/^repository-checks: test \(`npm run test`\) passed before the change and fails with it:[\s\S]*AssertionError: expected 190 to equal 180/)]));
    }, TEST_TIMEOUT_MS);

    it('passes a harmless patch; a second validation on the same base reuses the cached baseline', async () => {
      const first = await harness.validate(repo, { 'src/price.js': HARMLESS_PRICE });
      expect(first.verdict).toBe('passed');
      // The failing-test validation above ran the same base's baseline: it is reused already.
      expect(stageOf(first, 'repository-checks')).toMatchObject({ status: 'passed', required: true, summary: expect.stringMatching(/baseline reused for 1 of 1 check\(s\)/) });
      expect(stageOf(first, 'repository-checks').findings).toEqual(['test: passes with and without the change']);
      expect(first.feedback).toEqual([]);

      const second = await harness.validate(repo, { 'src/price.js': `${HARMLESS_PRICE}\n// A second harmless change.\n` });
      expect(second.verdict).toBe('passed');
      expect(stageOf(second, 'repository-checks').summary).toMatch(/baseline reused for 1 of 1 check\(s\)/);
    }, TEST_TIMEOUT_MS);

    it('runs the baseline once per base commit: a fresh commit runs it, the next validation on it reuses it', async () => {
      const fresh = await harness.repo(mochaProject('mocha-chai-fresh'));
      const first = await harness.validate(fresh, { 'src/price.js': HARMLESS_PRICE });
      expect(stageOf(first, 'repository-checks').summary).toMatch(/baseline reused for 0 of 1 check\(s\)/);
      const second = await harness.validate(fresh, { 'src/price.js': `${HARMLESS_PRICE}\n// Another.\n` });
      expect(stageOf(second, 'repository-checks').summary).toMatch(/baseline reused for 1 of 1 check\(s\)/);
      expect(second.verdict).toBe('passed');
    }, TEST_TIMEOUT_MS);
  });

  it('reports a lint script that fails at baseline without counting it; the patch passes', async () => {
    const repo = await harness.repo({
      ...mochaProject('lint-failing-fixture', { lint: 'node scripts/lint.js' }),
      'scripts/lint.js': "console.error('src/price.js:1 3 problems (the project is mid-migration)');\nprocess.exit(1);\n",
    });
    const output = await harness.validate(repo, { 'src/price.js': HARMLESS_PRICE });
    expect(output.verdict).toBe('passed');
    const checks = stageOf(output, 'repository-checks');
    expect(checks).toMatchObject({ status: 'passed', summary: expect.stringMatching(/not counted \(failing or not runnable at baseline\): lint/) });
    expect(checks.findings).toEqual(expect.arrayContaining([expect.stringMatching(/^lint: failing at baseline, not counted:\n[\s\S]*3 problems/), 'test: passes with and without the change']));
    // A repository with its own lint script gets no ESLint of the mesh's.
    expect(stageOf(output, 'static-analysis')).toMatchObject({ status: 'skipped', required: false, summary: expect.stringMatching(/own lint script/) });
  }, TEST_TIMEOUT_MS);

  it('cannot validate a repository whose locked dependency cannot be installed: not failed, no feedback', async () => {
    const missing = `@autocode-test-${Date.now().toString(36)}/does-not-exist`;
    const repo = await harness.repo(
      {
        'package.json': { name: 'uninstallable', version: '1.0.0', private: true, scripts: { test: 'node -e "process.exit(0)"' }, dependencies: { [missing]: '1.0.0' } },
        'package-lock.json': {
          name: 'uninstallable',
          version: '1.0.0',
          lockfileVersion: 3,
          requires: true,
          packages: {
            '': { name: 'uninstallable', version: '1.0.0', dependencies: { [missing]: '1.0.0' } },
            [`node_modules/${missing}`]: { version: '1.0.0', resolved: `https://registry.npmjs.org/${missing}/-/does-not-exist-1.0.0.tgz` },
          },
        },
        'index.js': 'module.exports = 1;\n',
      },
      'none',
    );
    const output = await harness.validate(repo, { 'index.js': 'module.exports = 2;\n' });
    expect(output.verdict).toBe('cannot-validate');
    expect(stageOf(output, 'repository-checks')).toMatchObject({
      status: 'skipped',
      required: true,
      cannotValidate: true,
      summary: expect.stringMatching(/^cannot validate: the base commit cannot be prepared \(dependency-unavailable\)/),
    });
    expect(output.stages.some((s) => s.status === 'failed')).toBe(false);
    expect(output.feedback).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('the bundled sample: its test script judges, its typecheck (no TypeScript installed) is reported, the mesh’s tsc still checks types', async () => {
    const sample = harness.repoFromDir(join(WORKSPACE_ROOT, 'samples/sample-target'));
    const format = readSource(sample, 'src/format.js');
    const clean = await harness.validate(sample, { 'src/format.js': `${format}\n/** Cents in a whole dollar. */\nexport const CENTS_PER_DOLLAR = 100;\n` });
    expect(clean.verdict).toBe('passed');
    const checks = stageOf(clean, 'repository-checks');
    expect(checks).toMatchObject({ status: 'passed', summary: expect.stringMatching(/^the repository's checks pass with the change: test; not counted \(failing or not runnable at baseline\): typecheck/) });
    expect(checks.findings).toEqual(expect.arrayContaining([expect.stringMatching(/^typecheck: cannot run at baseline/)]));
    expect(stageOf(clean, 'unit-tests').status).toBe('skipped');
    expect(stageOf(clean, 'syntax')).toMatchObject({ status: 'passed', required: true });

    const mistyped = await harness.validate(sample, { 'src/format.js': `${format}\n/** @type {number} */\nexport const CURRENCY = 'USD';\n` });
    expect(mistyped.verdict).toBe('failed');
    expect(mistyped.stages.filter((s) => s.status === 'failed').map((s) => s.name)).toEqual(['syntax']);
    expect(mistyped.feedback).toEqual(expect.arrayContaining([expect.stringMatching(/^syntax: src\/format\.js:\d+ TS2322/)]));
  }, TEST_TIMEOUT_MS);

  it('runs the test script of a pnpm repository with its lockfile, through pnpm', async () => {
    const repo = await harness.repo(mochaProject('pnpm-fixture'), 'pnpm');
    const output = await harness.validate(repo, { 'src/price.js': BROKEN_PRICE });
    expect(output.verdict).toBe('failed');
    const checks = stageOf(output, 'repository-checks');
    expect(checks.summary).toMatch(/\[pnpm 9\.\d+\.\d+, Node\.js \d+/);
    expect(checks.findings[0]).toMatch(/^test \(`pnpm run test`\) passed before the change and fails with it:[\s\S]*AssertionError: expected 190 to equal 180/);
  }, TEST_TIMEOUT_MS);
});
