import { basename, dirname, posix } from 'node:path';

/**
 * How a repository runs and writes its tests, read from package.json, the
 * test runners' config files and the tests it already has. Pure: it sees
 * the repository through `RepositoryTree`, so it is unit-tested on
 * fixture trees. A characterization test is written only in a framework
 * the repository already uses (SPEC F-49): imposing one would add a
 * dependency and a test its own `npm test` never runs.
 */

export const TEST_FRAMEWORKS = ['jest', 'vitest', 'mocha', 'node', 'ava', 'uvu'] as const;
export type TestFramework = (typeof TEST_FRAMEWORKS)[number];
/** `expect`: jest's and vitest's own; the others name their library. */
export type AssertionStyle = 'expect' | 'chai-expect' | 'chai-assert' | 'node-assert' | 'should' | 'ava' | 'uvu';

export interface TestSetup {
  framework: TestFramework;
  assertion: AssertionStyle;
  /** The module node:assert is imported from when `assertion` is `node-assert` (`node:assert/strict`, `assert` …). */
  nodeAssertModule: string;
  /** jest and vitest: import `describe`/`it`/`expect` (from '@jest/globals' or 'vitest') rather than rely on globals. */
  importsTestApi: boolean;
  moduleSyntax: 'esm' | 'cjs';
  language: 'ts' | 'js';
  /** The test file's extension, with its dot (`.test.ts` → `.ts`). */
  extension: string;
  /** `foo.test.js` / `foo.spec.ts` (suffix), `test-foo.js` (prefix), or `foo.js` inside a test directory (plain). */
  naming: { kind: 'suffix'; suffix: 'test' | 'spec' } | { kind: 'prefix'; prefix: string } | { kind: 'plain' };
  /** Where a module's test goes: next to it, or a directory mapping (`src` → `test`); `flat` when every existing test sits directly in the test directory. */
  placement: { type: 'colocated' } | { type: 'mapped'; sourceDir: string; testDir: string; flat: boolean };
  /** How relative imports end: with the source's extension, with `.js` for TypeScript, or bare. */
  importExtension: 'source' | 'js' | 'none';
  /** Existing tests reach the package's entry module by the package name (`require('my-lib')`) rather than a relative path. */
  packageImport?: { name: string; entry: string };
}

export type TestSetupDetection = { found: true; setup: TestSetup; evidence: string } | { found: false; reason: string };

export interface RepositoryTree {
  /** Every file, as a path relative to the repository root, without node_modules and builds. */
  files: string[];
  read(path: string): string | undefined;
}

interface PackageJson {
  name?: string;
  type?: string;
  main?: string;
  exports?: unknown;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  jest?: unknown;
  ava?: unknown;
  mocha?: unknown;
}

const NAMED_TEST_FILE = /(^|\/)(test-[^/]+|[^/]+\.(test|spec))\.[cm]?[jt]sx?$/;
const SCRIPT_FILE = /\.[cm]?[jt]sx?$/;
const TEST_DIRS = ['test', 'tests', '__tests__', 'spec'];
/** Helpers, fixtures and deliberately failing suites inside test directories are not examples of a test. */
const NOT_A_TEST = /(^|\/)(fixtures?|helpers?|support|mocks?|__mocks__|__fixtures__|known-failing|setup)(\/|\.|$)/;
const MAX_TESTS_READ = 40;

const CONFIG_FILES: Array<[RegExp, TestFramework]> = [
  [/^jest\.config\.[cm]?[jt]s(on)?$/, 'jest'],
  [/^vitest\.config\.[cm]?[jt]s$/, 'vitest'],
  [/^vitest\.workspace\.[cm]?[jt]s$/, 'vitest'],
  [/^\.mocharc(\.[cm]?js|\.json|\.jsonc|\.ya?ml)?$/, 'mocha'],
  [/^ava\.config\.[cm]?js$/, 'ava'],
];

/**
 * The test framework and conventions for a new test of `sourceFile`, or why
 * there is none to follow. `requestedFramework` (autocode.yaml
 * `testScaffold.framework`) applies only where the repository has none.
 */
export function detectTestSetup(tree: RepositoryTree, sourceFile: string, options: { requestedFramework?: TestFramework } = {}): TestSetupDetection {
  const packageJson = readPackageJson(tree);
  const tests = existingTests(tree);
  const contents = tests.slice(0, MAX_TESTS_READ).map((path) => ({ path, text: tree.read(path) ?? '' }));
  const found =
    detectFramework(packageJson, tree.files, contents.map((c) => c.text)) ??
    (options.requestedFramework ? { framework: options.requestedFramework, evidence: `autocode.yaml testScaffold.framework asks for ${options.requestedFramework}` } : undefined);
  if (!found) {
    return {
      found: false,
      reason:
        'the repository uses no test framework (none in package.json devDependencies or its test script, no runner config, no existing test using one); a characterization test is written only in a framework it already runs, or the one autocode.yaml testScaffold.framework names',
    };
  }
  const framework = found.framework;
  const texts = contents.map((c) => c.text);
  const sourceIsTs = /\.(ts|tsx|mts|cts)$/.test(sourceFile);
  const testLanguages = tests.map((t) => (/\.(ts|tsx|mts|cts)$/.test(t) ? 'ts' : 'js'));
  const tsTests = testLanguages.filter((l) => l === 'ts').length;
  const language: TestSetup['language'] = tests.length ? (tsTests * 2 >= tests.length ? 'ts' : 'js') : sourceIsTs ? 'ts' : 'js';
  if (language === 'js' && sourceIsTs && !['jest', 'vitest'].includes(framework)) {
    return { found: false, reason: `${sourceFile} is TypeScript and no existing test shows how ${framework} loads TypeScript (no TypeScript test to follow)` };
  }
  if (language === 'ts' && tests.length === 0 && !['jest', 'vitest'].includes(framework)) {
    return { found: false, reason: `${sourceFile} is TypeScript and there is no existing test showing how ${framework} loads TypeScript` };
  }

  const usesImport = texts.filter((c) => /^\s*import\s/m.test(c)).length;
  const usesRequire = texts.filter((c) => /\brequire\(\s*['"]/.test(c)).length;
  const esmByPackage = packageJson.type === 'module' || /\.(mts|mjs)$/.test(sourceFile) || (sourceIsTs && framework === 'vitest');
  const moduleSyntax: TestSetup['moduleSyntax'] = usesImport === 0 && usesRequire === 0 ? (esmByPackage || (sourceIsTs && language === 'ts') ? 'esm' : 'cjs') : usesImport >= usesRequire ? 'esm' : 'cjs';

  const extension = testExtension(tests, language, moduleSyntax, packageJson);
  const placement = detectPlacement(tests, tree.files, found.directory);
  return {
    found: true,
    evidence: found.evidence,
    setup: {
      framework,
      assertion: detectAssertion(framework, packageJson, texts),
      nodeAssertModule: nodeAssertModule(texts),
      importsTestApi: framework === 'jest' ? texts.some((c) => /@jest\/globals/.test(c)) : framework === 'vitest' ? texts.length === 0 || texts.some((c) => /['"]vitest['"]/.test(c)) : false,
      moduleSyntax,
      language,
      extension,
      naming: detectNaming(tests),
      placement,
      importExtension: detectImportExtension(texts, sourceFile, moduleSyntax, packageJson),
      ...packageImport(packageJson, texts),
    },
  };
}

/** Files that look like tests: named like one, or a script in a test directory that calls a test API. */
export function existingTests(tree: RepositoryTree): string[] {
  return tree.files.filter((file) => {
    if (!SCRIPT_FILE.test(file) || file.endsWith('.d.ts') || NOT_A_TEST.test(file)) return false;
    if (NAMED_TEST_FILE.test(file)) return true;
    const inTestDir = file.split('/').slice(0, -1).some((part) => TEST_DIRS.includes(part));
    return inTestDir && /\b(describe|it|test)\s*\(/.test(tree.read(file) ?? '');
  });
}

interface FoundFramework {
  framework: TestFramework;
  evidence: string;
  /** A test directory the test script names (`mocha test/unit`, `uvu tests`). */
  directory?: string;
}

function detectFramework(packageJson: PackageJson, files: string[], tests: string[]): FoundFramework | undefined {
  const script = testScript(packageJson);
  if (script) {
    const fromScript = frameworkInCommand(script);
    if (fromScript) return { framework: fromScript, evidence: `the test script runs ${fromScript} (\`${script}\`)`, directory: directoryInCommand(script) };
  }
  for (const file of files.filter((f) => !f.includes('/'))) {
    const match = CONFIG_FILES.find(([pattern]) => pattern.test(file));
    if (match) return { framework: match[1], evidence: `${file} configures ${match[1]}` };
  }
  if (packageJson.jest) return { framework: 'jest', evidence: 'package.json has a jest section' };
  if (packageJson.ava) return { framework: 'ava', evidence: 'package.json has an ava section' };
  if (packageJson.mocha) return { framework: 'mocha', evidence: 'package.json has a mocha section' };
  const dependencies = { ...packageJson.dependencies, ...packageJson.devDependencies };
  for (const framework of ['vitest', 'jest', 'mocha', 'ava', 'uvu'] as const) {
    if (framework in dependencies) return { framework, evidence: `${framework} is a dependency` };
  }
  if (tests.some((c) => /['"]node:test['"]/.test(c))) return { framework: 'node', evidence: "existing tests import 'node:test'" };
  return undefined;
}

/** The `test` script, with `npm run x` / `run-s x` one level deep followed (`test: "npm run test:unit"`). */
function testScript(packageJson: PackageJson): string | undefined {
  const scripts = packageJson.scripts ?? {};
  const test = scripts.test;
  if (!test || /no test specified/.test(test)) return undefined;
  const referenced = [...test.matchAll(/(?:npm run|pnpm(?: run)?|yarn(?: run)?|run-s|run-p|npm-run-all(?: -[sp])?)\s+([\w:.-]+)/g)].map((m) => scripts[m[1]]).filter(Boolean);
  return [test, ...referenced].join(' && ');
}

export function frameworkInCommand(command: string): TestFramework | undefined {
  const words = command.split(/[\s&|;()'"=]+/).map((w) => w.replace(/^.*node_modules\/\.bin\//, ''));
  if (/\bnode\b[^&|;]*\s--test\b/.test(command) || /\btsx\b[^&|;]*\s--test\b/.test(command)) return 'node';
  for (const [word, framework] of [
    ['vitest', 'vitest'],
    ['jest', 'jest'],
    ['mocha', 'mocha'],
    ['_mocha', 'mocha'],
    ['nyc mocha', 'mocha'],
    ['ava', 'ava'],
    ['uvu', 'uvu'],
  ] as const) {
    if (words.includes(word)) return framework;
  }
  return undefined;
}

function directoryInCommand(command: string): string | undefined {
  const match = command.match(/\b(?:mocha|uvu|node --test|ava)\s+(?:-\S+\s+)*['"]?((?:test|tests|spec|__tests__)(?:\/[\w-]+)*)\/?(?:['"\s]|$)/);
  return match?.[1];
}

function detectAssertion(framework: TestFramework, packageJson: PackageJson, tests: string[]): AssertionStyle {
  if (framework === 'jest' || framework === 'vitest') return 'expect';
  if (framework === 'ava') return 'ava';
  if (framework === 'uvu') return 'uvu';
  const dependencies = { ...packageJson.dependencies, ...packageJson.devDependencies };
  const votes = (pattern: RegExp) => tests.filter((c) => pattern.test(c)).length;
  const chai = votes(/['"]chai['"]/);
  const nodeAssert = votes(/['"](node:)?assert(\/strict)?['"]/);
  const should = votes(/['"]should['"]/);
  if (framework === 'mocha') {
    if (should > chai && should > nodeAssert) return 'should';
    if (chai > 0 && chai >= nodeAssert) return tests.some((c) => /\bassert\s*\}?\s*=\s*require\(\s*['"]chai['"]|import\s*\{[^}]*\bassert\b[^}]*\}\s*from\s*['"]chai['"]/.test(c)) && !tests.some((c) => /\bexpect\(/.test(c)) ? 'chai-assert' : 'chai-expect';
    if (nodeAssert > 0) return 'node-assert';
    if ('chai' in dependencies) return 'chai-expect';
    if ('should' in dependencies) return 'should';
    return 'node-assert';
  }
  return 'node-assert';
}

function nodeAssertModule(tests: string[]): string {
  for (const text of tests) {
    const match = text.match(/['"]((?:node:)?assert(?:\/strict)?)['"]/);
    if (match) return match[1];
  }
  return 'node:assert/strict';
}

function detectNaming(tests: string[]): TestSetup['naming'] {
  const counts = { test: 0, spec: 0, prefix: 0, plain: 0 };
  for (const test of tests) {
    const name = basename(test);
    if (/\.test\.[cm]?[jt]sx?$/.test(name)) counts.test += 1;
    else if (/\.spec\.[cm]?[jt]sx?$/.test(name)) counts.spec += 1;
    else if (name.startsWith('test-')) counts.prefix += 1;
    else counts.plain += 1;
  }
  const best = (Object.entries(counts) as Array<[keyof typeof counts, number]>).sort((a, b) => b[1] - a[1])[0];
  if (best[1] === 0 || best[0] === 'test') return { kind: 'suffix', suffix: 'test' };
  if (best[0] === 'spec') return { kind: 'suffix', suffix: 'spec' };
  if (best[0] === 'prefix') return { kind: 'prefix', prefix: 'test-' };
  return { kind: 'plain' };
}

function testExtension(tests: string[], language: TestSetup['language'], moduleSyntax: TestSetup['moduleSyntax'], packageJson: PackageJson): string {
  const ofLanguage = tests.map((t) => t.match(/(\.[cm]?[jt]sx?)$/)![1]).filter((e) => (language === 'ts' ? /ts/.test(e) : /js/.test(e)));
  if (ofLanguage.length) {
    const counts = new Map<string, number>();
    for (const e of ofLanguage) counts.set(e.replace(/x$/, ''), (counts.get(e.replace(/x$/, '')) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  }
  if (language === 'ts') return '.ts';
  const packageIsEsm = packageJson.type === 'module';
  if (moduleSyntax === 'esm') return packageIsEsm ? '.js' : '.mjs';
  return packageIsEsm ? '.cjs' : '.js';
}

function detectPlacement(tests: string[], files: string[], scriptDirectory: string | undefined): TestSetup['placement'] {
  const votes = new Map<string, number>();
  const stem = (path: string) => basename(path).replace(/\.(test|spec)(?=\.[cm]?[jt]sx?$)/, '').replace(/^test-/, '').replace(/\.[cm]?[jt]sx?$/, '');
  const sourcesByStem = new Map<string, string[]>();
  for (const file of files) {
    if (!SCRIPT_FILE.test(file) || tests.includes(file)) continue;
    const key = stem(file);
    sourcesByStem.set(key, [...(sourcesByStem.get(key) ?? []), file]);
  }
  for (const test of tests) {
    const candidates = sourcesByStem.get(stem(test)) ?? [];
    if (candidates.some((c) => dirname(c) === dirname(test))) {
      votes.set('colocated', (votes.get('colocated') ?? 0) + 1);
      continue;
    }
    // The test's module elsewhere: same name, under another top directory.
    const [testTop] = test.split('/');
    for (const candidate of candidates) {
      const [sourceTop] = candidate.split('/');
      if (sourceTop !== testTop && test.includes('/')) {
        const key = `${candidate.includes('/') ? sourceTop : '.'}\u0000${testTop}`;
        votes.set(key, (votes.get(key) ?? 0) + 1);
        break;
      }
    }
  }
  const flat = (testDir: string) => tests.filter((t) => t.startsWith(`${testDir}/`)).every((t) => dirname(t) === testDir);
  const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
  if (best && best[0] !== 'colocated') {
    const [sourceDir, testDir] = best[0].split('\u0000');
    return { type: 'mapped', sourceDir, testDir, flat: flat(testDir) };
  }
  if (best) return { type: 'colocated' };
  const testDir = scriptDirectory ?? TEST_DIRS.find((d) => tests.some((f) => f.startsWith(`${d}/`))) ?? (tests.length ? undefined : 'test');
  if (!testDir) return { type: 'colocated' };
  const sourceDir = files.some((f) => f.startsWith('src/')) ? 'src' : files.some((f) => f.startsWith('lib/')) ? 'lib' : '.';
  // Mocha's default spec (`./test/*.{js,cjs,mjs}`) is not recursive: a new test goes directly in test/ unless the existing ones nest.
  return { type: 'mapped', sourceDir, testDir, flat: tests.length ? flat(testDir) : true };
}

function detectImportExtension(tests: string[], sourceFile: string, moduleSyntax: TestSetup['moduleSyntax'], packageJson: PackageJson): TestSetup['importExtension'] {
  const relativeImports = tests.flatMap((c) => [...c.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]));
  const typescript = /\.(ts|tsx|mts|cts)$/.test(sourceFile);
  if (relativeImports.length === 0) {
    // ES modules need extensions (`.js` even for TypeScript under NodeNext); CommonJS and bundlers do not.
    if (!typescript) return moduleSyntax === 'esm' ? 'source' : 'none';
    return packageJson.type === 'module' || sourceFile.endsWith('.mts') ? 'js' : 'none';
  }
  if (relativeImports.some((i) => /\.(ts|tsx|mts|cts)$/.test(i))) return 'source';
  if (relativeImports.some((i) => /\.(m|c)?js$/.test(i))) return typescript ? 'js' : 'source';
  return 'none';
}

/** When existing tests require the package by its name, its entry module is tested the same way. */
function packageImport(packageJson: PackageJson, tests: string[]): Pick<TestSetup, 'packageImport'> {
  const name = packageJson.name;
  if (!name) return {};
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  if (!tests.some((c) => new RegExp(`(?:from\\s+|require\\(\\s*)['"]${escaped}['"]`).test(c))) return {};
  const exported = typeof packageJson.exports === 'string' ? packageJson.exports : undefined;
  const entry = posix.normalize(exported ?? packageJson.main ?? 'index.js').replace(/^\.\//, '');
  return { packageImport: { name, entry } };
}

function readPackageJson(tree: RepositoryTree): PackageJson {
  const text = tree.read('package.json');
  if (!text) return {};
  try {
    return JSON.parse(text) as PackageJson;
  } catch {
    return {};
  }
}
