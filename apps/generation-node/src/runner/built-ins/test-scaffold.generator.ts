import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { recordBehaviour, type Recording } from './test-scaffold/behaviour-recorder';
import { moduleSurface } from './test-scaffold/module-surface';
import { importSpecifier, listRepositoryFiles, listRootConfigFiles, testFilePath } from './test-scaffold/test-conventions';
import { renderTestFile } from './test-scaffold/test-file-writer';
import { detectTestSetup, existingTests, type RepositoryTree, TEST_FRAMEWORKS, type TestFramework, type TestSetup } from './test-scaffold/test-setup-detection';
import { ParameterVocabulary } from './test-scaffold/type-shapes';
import { isSourceFile, isTypeScriptFile, TypeScriptProject } from './typescript-project';

const VERIFY_TIMEOUT_MS = 60_000;
/** Diagnostics a generated TypeScript test shares with the repository's own tests (test-framework typings it may lack). */
const ENVIRONMENT_DIAGNOSTICS = new Set([2307, 2582, 2593, 2304]);

/**
 * A characterization test for a module, in the test framework the
 * repository already uses (none: no test). Each exported function is
 * called with inputs made from its signature (or, for untyped JavaScript,
 * from the repository's own typed parameters of the same name, or the
 * name), a class is constructed and its methods called in order, in two
 * separate recording processes; only calls that behaved the same in both,
 * touched no clock, randomness or network and returned a value that can be
 * written down (or threw an Error) become assertions. Written in the
 * repository's framework, assertion library, module syntax, layout, naming
 * and formatting. A JavaScript test for node:test is run once before it is
 * kept; a TypeScript test is type-checked and loses blocks that do not
 * compile.
 */
export const testScaffoldGenerator: FileGeneratorFactory = (root): FileGenerator => {
  let project: TypeScriptProject;
  let vocabulary: ParameterVocabulary;
  let repositoryFiles: string[];
  let tree: RepositoryTree;
  let requested: { framework?: TestFramework; error?: string };
  let written = 0;
  let assertions = 0;
  const notes: string[] = [];
  return {
    select: (candidates) => {
      const tests = new Set(existingTests({ files: candidates, read: (path) => readText(join(root, path)) }));
      return candidates.filter((f) => isSourceFile(f) && !tests.has(f));
    },
    async prepare(files) {
      project = new TypeScriptProject(root, files);
      repositoryFiles = listRepositoryFiles(root);
      requested = requestedFramework(root);
      const rootConfigFiles = listRootConfigFiles(root);
      // A getter: tests written earlier in this job count as existing tests for the next file.
      tree = { get files() { return [...rootConfigFiles, ...repositoryFiles]; }, read: (path) => readText(join(root, path)) };
      vocabulary = ParameterVocabulary.fromProgram(project.program(), (name) => name.startsWith(`${root}/`) && !name.includes('/node_modules/'));
    },
    async processFile(file): Promise<FileOutcome> {
      if (requested.error) return { status: 'unchanged', touched: [], detail: requested.error };
      const detected = detectTestSetup(tree, file, { requestedFramework: requested.framework });
      if (!detected.found) return { status: 'unchanged', touched: [], detail: detected.reason };
      const setup = detected.setup;
      const specs = moduleSurface(project.program(), project.abs(file), vocabulary);
      if (specs.length === 0) return { status: 'unchanged', touched: [], detail: 'exports no functions or classes to test' };
      let recording: Recording;
      try {
        recording = await recordBehaviour(project.abs(file), specs);
      } catch (error) {
        return { status: 'unchanged', touched: [], detail: cannotLoad(error as Error) };
      }
      if (recording.skipped.length) notes.push(...recording.skipped.map((s) => `${file}: not tested — ${s}`));
      if (recording.functions.length === 0 && recording.classes.length === 0) {
        return { status: 'unchanged', touched: [], detail: `no deterministic behaviour to test: ${recording.skipped.join('; ')}` };
      }
      const testFile = testFilePath(file, setup, (path) => existsSync(join(root, path)) || repositoryFiles.includes(path));
      const specifier = importSpecifier(testFile, file, setup);

      let text = await render(file, testFile, specifier, recording, setup);
      if (isTypeScriptFile(testFile)) {
        const baseline = environmentDiagnostics(project, tree);
        const checked = await dropBlocksThatDoNotCompile(project, file, testFile, specifier, recording, setup, baseline);
        if (!checked) return { status: 'unchanged', touched: [], detail: 'no generated test block type-checks' };
        ({ text, recording } = checked);
      }
      const path = join(root, testFile);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      if (setup.framework === 'node' && !isTypeScriptFile(testFile)) {
        const run = spawnSync(process.execPath, ['--test', path], { cwd: root, encoding: 'utf8', timeout: VERIFY_TIMEOUT_MS });
        if (run.status !== 0) {
          rmSync(path);
          const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
          return { status: 'unchanged', touched: [], detail: `the generated test did not pass when run, so it was not kept:\n${output}` };
        }
      }
      repositoryFiles.push(testFile);
      written += 1;
      const count = countAssertions(recording);
      assertions += count;
      return { status: 'changed', touched: [testFile], detail: `${testFile} (${setup.framework}, ${setup.assertion}; ${detected.evidence}): ${count} assertion(s) on ${describe(recording)}` };
    },
    async finish() {
      return { notes, stats: { testFiles: written, assertions } };
    },
  };
};

async function render(sourceFile: string, testFile: string, specifier: string, recording: Recording, setup: TestSetup): Promise<string> {
  return formatLikeTheRepository(testFile, renderTestFile({ sourceFile, specifier, recording, setup }));
}

/** autocode.yaml `testScaffold.framework`: the framework to write in where the repository has none yet. */
function requestedFramework(root: string): { framework?: TestFramework; error?: string } {
  const text = readText(join(root, 'autocode.yaml'));
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    return { error: `autocode.yaml cannot be parsed: ${(error as Error).message.split('\n')[0]}` };
  }
  const section = (parsed as { testScaffold?: unknown } | null)?.testScaffold;
  if (section === undefined || section === null) return {};
  const framework = (section as { framework?: unknown }).framework;
  if (framework === undefined) return {};
  if (!TEST_FRAMEWORKS.includes(framework as TestFramework)) return { error: `autocode.yaml testScaffold.framework must be one of ${TEST_FRAMEWORKS.join(', ')} (got ${JSON.stringify(framework)})` };
  return { framework: framework as TestFramework };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Why the module could not be recorded. A missing package is the usual
 * cause: the generation node does not install the repository's
 * dependencies (yet), so a module importing one is left alone, with that
 * reason, rather than tested with a guess.
 */
function cannotLoad(error: Error): string {
  const message = error.message.split('\n').find((line) => line.trim()) ?? String(error);
  const missing = message.match(/Cannot find (?:module|package) '([^']+)'/);
  if (missing && !missing[1].startsWith('.') && !missing[1].startsWith('/')) {
    return `the module cannot be loaded to record its behaviour: it imports '${missing[1]}', which is not installed in the generator's checkout (dependencies are not installed for test-scaffold)`;
  }
  return `the module cannot be loaded to record its behaviour: ${message}`;
}

async function formatLikeTheRepository(testFile: string, text: string): Promise<string> {
  const path = join(process.cwd(), testFile);
  try {
    const options = await prettier.resolveConfig(path, { editorconfig: true });
    return options ? await prettier.format(text, { ...options, filepath: path }) : text;
  } catch {
    return text;
  }
}

async function dropBlocksThatDoNotCompile(
  project: TypeScriptProject,
  sourceFile: string,
  testFile: string,
  specifier: string,
  recording: Recording,
  setup: TestSetup,
  baseline: Set<number>,
): Promise<{ text: string; recording: Recording } | undefined> {
  let current = recording;
  for (let round = 0; round < 3; round += 1) {
    const text = await render(sourceFile, testFile, specifier, current, setup);
    project.update(testFile, text);
    const source = project.program().getSourceFile(project.abs(testFile));
    const frameworkImports = frameworkImportRanges(text, specifier);
    const errors = project.languageService
      .getSemanticDiagnostics(project.abs(testFile))
      .concat(project.languageService.getSyntacticDiagnostics(project.abs(testFile)))
      .filter((d) => !ENVIRONMENT_DIAGNOSTICS.has(d.code) && !baseline.has(d.code) && d.start !== undefined)
      // The test framework's own imports (its typings, esModuleInterop) are the repository's setup, not the test's fault.
      .filter((d) => !frameworkImports.some(([from, to]) => d.start! >= from && d.start! < to));
    if (errors.length === 0) return { text, recording: current };
    if (!source) return undefined;
    // Which test blocks hold the errors: by the name in `test('<name>', …)` or `it('<name>', …)` preceding each error.
    const broken = new Set<string>();
    for (const error of errors) {
      const before = text.slice(0, error.start);
      const match = [...before.matchAll(/\b(?:test|it)\(\s*['"]([^'"]+)['"]/g)].pop();
      if (match) broken.add(match[1]);
    }
    if (broken.size === 0) return undefined;
    current = {
      ...current,
      functions: current.functions.filter((f) => !broken.has(f.spec.localName)),
      classes: current.classes.filter((c) => !broken.has(c.spec.localName)),
      skipped: [...current.skipped, ...[...broken].map((name) => `${name}: its generated test does not type-check`)],
    };
    if (current.functions.length === 0 && current.classes.length === 0) return undefined;
  }
  return undefined;
}

/**
 * Error codes an existing TypeScript test of the repository has too (a
 * missing esModuleInterop, absent test typings): the environment's, not the
 * generated test's, and no reason to drop it.
 */
function environmentDiagnostics(project: TypeScriptProject, tree: RepositoryTree): Set<number> {
  const existing = existingTests(tree).find((f) => isTypeScriptFile(f));
  if (!existing) return new Set();
  project.update(existing, project.text(existing));
  return new Set(project.languageService.getSemanticDiagnostics(project.abs(existing)).map((d) => d.code));
}

/** Where the test's import statements of anything but the module under test are. */
function frameworkImportRanges(text: string, specifier: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const match of text.matchAll(/^(?:import\s[^;]*?from\s+|const\s[^=]+=\s*require\()\s*['"]([^'"]+)['"][^\n]*$/gm)) {
    if (match[1] !== specifier) ranges.push([match.index!, match.index! + match[0].length]);
  }
  return ranges;
}

function countAssertions(recording: Recording): number {
  return (
    recording.functions.reduce((sum, f) => sum + f.calls.length, 0) + recording.classes.reduce((sum, c) => sum + (c.constructorOutcome ? 1 : c.steps.length), 0)
  );
}

function describe(recording: Recording): string {
  return [...recording.functions.map((f) => f.spec.localName), ...recording.classes.map((c) => c.spec.localName)].join(', ');
}
