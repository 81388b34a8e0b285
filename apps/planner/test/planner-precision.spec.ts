import type { Opportunity, PlanOutput } from '@autocode/contracts';
import { fixtureRepo } from './git-fixtures';
import { PlannerHarness } from './planner-harness';
import { withNpmLockfile } from '@autocode/testing';

/**
 * No false positives, on repositories shaped like real ones (written by
 * the test into temporary git repositories, planned by the real planner
 * against the real git, Redis and ESLint): what is documented, tested or
 * not fixable is not planned, and what truly is not still is.
 */
describe('planning precision on real-shaped repositories', () => {
  const repos: Array<{ remove: () => void }> = [];
  const harnesses: PlannerHarness[] = [];
  const plan = async (files: Record<string, string>, kinds: string[], env: Record<string, string> = {}): Promise<PlanOutput> => {
    const repo = fixtureRepo(files);
    repos.push(repo);
    const harness = new PlannerHarness(env);
    harnesses.push(harness);
    return harness.service.plan({ repository: repo.path, ref: 'HEAD', lookbackHours: 24, kinds }, harness.context());
  };
  const byKind = (output: PlanOutput) => {
    const found: Record<string, string[]> = {};
    for (const o of output.opportunities as Opportunity[]) found[o.kind] = [...(found[o.kind] ?? []), ...o.files].sort();
    return found;
  };

  afterAll(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
    for (const r of repos) r.remove();
  });

  /** A TypeScript library: built to dist/, an exports map, a path alias, a barrel. */
  const typescriptLibrary: Record<string, string> = {
    'package.json': JSON.stringify({
      name: '@acme/streams',
      type: 'module',
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js' },
        './service': './dist/service.js',
      },
      scripts: { build: 'tsc', test: 'vitest run' },
    }),
    'tsconfig.json': `{
  // A comment, as real tsconfigs have.
  "compilerOptions": { "outDir": "dist", "rootDir": "src", "baseUrl": ".", "paths": { "#internal/*": ["src/internal/*"] }, "experimentalDecorators": true },
  "include": ["src"]
}
`,
    'src/index.ts': "export * from './writable';\nexport { parse } from './parse';\nexport { helper as help } from './helpers';\nexport type { Options } from './options';\n",
    'src/writable.ts': [
      '/** A writable stream that forwards every chunk to `sink`. */',
      '// eslint-disable-next-line @typescript-eslint/no-explicit-any',
      'export function writable(sink: any): WritableStream<string> {',
      '  return new WritableStream({ write: (chunk) => sink(chunk) });',
      '}',
      '',
    ].join('\n'),
    'src/parse.ts': [
      '/**',
      ' * Parses a number from text or passes a number through.',
      ' * @param input what to parse',
      ' */',
      'export function parse(input: string): number;',
      'export function parse(input: number): number;',
      'export function parse(input: string | number): number {',
      '  return typeof input === "number" ? input : Number.parseFloat(input);',
      '}',
      '',
    ].join('\n'),
    'src/helpers.ts': '/** Helps. */\n/* istanbul ignore next */\n// @ts-expect-error -- the argument is checked at run time\nexport const helper = (x) => x;\n',
    'src/options.ts': 'export interface Options {\n  highWaterMark: number;\n}\n',
    'src/decorators.ts': '/** Marks a class as injectable. */\nexport function Injectable(): ClassDecorator {\n  return () => undefined;\n}\n',
    'src/service.ts': "import { Injectable } from './decorators';\n\n/** Streams on demand. */\n@Injectable()\nexport class StreamService {\n  open(): number {\n    return 1;\n  }\n}\n",
    'src/internal/clock.ts': '/** Milliseconds since the epoch. */\nexport function now(): number {\n  return Date.now();\n}\n',
    'src/orphan.ts': 'export function orphan(x: number): number {\n  return x * 2;\n}\n',
    'test/root.test.ts': "import { writable, parse, help } from '..';\n\nconsole.log(writable, parse, help);\n",
    'test/service.test.ts': "import { StreamService } from '@acme/streams/service';\n\nconsole.log(new StreamService().open());\n",
    'test/clock.test.ts': "import { now } from '#internal/clock';\n\nconsole.log(now());\n",
    'test/decorators.test.ts': "import { Injectable } from '../src/decorators.js';\n\nconsole.log(Injectable);\n",
  };

  it('sees documentation on overloads, above directives and decorators, and tests through "..", the package name, aliases and a barrel', async () => {
    const output = await plan(typescriptLibrary, ['undocumented-export', 'untested-module']);
    // The only undocumented and the only untested module is the orphan; its documentation needs a model (TypeScript).
    expect(byKind(output)).toEqual({ 'undocumented-export': ['src/orphan.ts'], 'untested-module': ['src/orphan.ts'] });
    expect(output.opportunities.find((o) => o.kind === 'undocumented-export')).toMatchObject({ generator: 'llm', title: 'Document 1 export of src/orphan.ts: orphan' });
  });

  it('does not plan TypeScript documentation when no model is configured: the signature already has what doc-comments could add', async () => {
    const output = await plan(typescriptLibrary, ['undocumented-export'], { PLANNER_DISABLED_GENERATORS: 'llm' });
    expect(output.opportunities).toEqual([]);
    expect(output.suppressed).toEqual([expect.objectContaining({ kind: 'undocumented-export', files: ['src/orphan.ts'], reason: 'no-generator' })]);
  });

  /** A JavaScript package: ESM, `main` into lib/, its own ESLint flat config. */
  const javascriptPackage: Record<string, string> = {
    // Its own ESLint, declared (and locked in the test): the planner lints with no other.
    'package.json': JSON.stringify({ name: 'jsutil', type: 'module', main: 'lib/index.js', scripts: { test: 'node --test' }, devDependencies: { eslint: '9.39.5' } }),
    'eslint.config.mjs': "export default [{ files: ['**/*.js'], rules: { 'no-debugger': 'error', 'no-var': 'error' } }];\n",
    'lib/index.js': "export * from './math.js';\nexport { default as format } from './format.js';\n",
    'lib/math.js': [
      '/**',
      ' * The sum of `a` and `b`.',
      ' * @param {number} a',
      ' * @param {number} b',
      ' */',
      '// eslint-disable-next-line no-unused-vars',
      'export function add(a, b) {',
      '  return a + b;',
      '}',
      '',
    ].join('\n'),
    'lib/format.js': '/** `x` as text. */\nexport default function format(x) {\n  return String(x);\n}\n',
    'lib/debug.js': '/** Stops in the debugger. */\nexport function pause() {\n  debugger;\n}\n',
    'lib/legacy.js': '/** An old helper. */\nexport function legacy() {\n  var x = 1;\n  return x;\n}\n',
    'lib/bare.js': 'export function bare(items) {\n  return items.length;\n}\n',
    'lib/cjs/index.cjs': "const strings = require('./strings.cjs');\n\nmodule.exports = { ...strings, pad: require('./pad.cjs') };\n",
    'lib/cjs/strings.cjs': '/** Upper case. */\nfunction upper(s) {\n  return s.toUpperCase();\n}\n\nmodule.exports = { upper };\n',
    'lib/cjs/pad.cjs': "/** Pads. */\nmodule.exports = function pad(s) {\n  return ` ${s}`;\n};\n",
    'test/index.test.js': "import { test } from 'node:test';\nimport { add, format } from '..';\n\ntest('adds', () => add(1, format(2)));\n",
    'test/debug.test.js': "import { pause } from '../lib/debug.js';\n\nconsole.log(pause);\n",
    'test/bare.test.js': "import { bare } from 'jsutil/lib/bare.js';\n\nconsole.log(bare([]));\n",
    'test/cjs.test.cjs': "const { upper, pad } = require('../lib/cjs');\n\nconsole.log(upper('a'), pad('b'));\n",
  };

  it('plans only fixable lint findings, and still finds the undocumented and the untested', async () => {
    const output = await plan(await withNpmLockfile(javascriptPackage), ['undocumented-export', 'untested-module', 'lint-finding']);
    expect(byKind(output)).toEqual({
      'undocumented-export': ['lib/bare.js'],
      'untested-module': ['lib/legacy.js'],
      'lint-finding': ['lib/legacy.js'],
    });
    expect(output.opportunities.find((o) => o.kind === 'undocumented-export')).toMatchObject({ generator: 'doc-comments' });
    // Seen but not planned: no-debugger (no fix) in lib/debug.js, and ESLint's note that lib/math.js disables a rule it does not run.
    expect(output.analyses?.find((a) => a.name === 'eslint')).toMatchObject({ status: 'ran', findings: 3 });
  });
});
