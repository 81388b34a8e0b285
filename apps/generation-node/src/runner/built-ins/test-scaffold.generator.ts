import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as prettier from 'prettier';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { recordBehaviour, type Recording } from './test-scaffold/behaviour-recorder';
import { moduleSurface } from './test-scaffold/module-surface';
import { detectTestConventions, importSpecifier, listRepositoryFiles, testFilePath, type TestConventions } from './test-scaffold/test-conventions';
import { renderTestFile } from './test-scaffold/test-file-writer';
import { ParameterVocabulary } from './test-scaffold/type-shapes';
import { isSourceFile, isTypeScriptFile, TypeScriptProject } from './typescript-project';

const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;
const VERIFY_TIMEOUT_MS = 60_000;
/** Diagnostics a generated TypeScript test shares with the repository's own tests (test-framework typings it may lack). */
const ENVIRONMENT_DIAGNOSTICS = new Set([2307, 2582, 2593, 2304]);

/**
 * A characterization test for a module: each exported function is called
 * with inputs made from its signature (or, for untyped JavaScript, from
 * the repository's own typed parameters of the same name, or the name), a
 * class is constructed and its methods called in order; what came back (or
 * was thrown) is recorded — twice, to tell stable from unstable — and
 * becomes the test's assertions: exact values where stable, types where
 * not. Written in the repository's framework, module syntax, placement and
 * formatting. A JavaScript test for node:test is run once before it is
 * kept; a TypeScript test is type-checked and loses blocks that do not
 * compile.
 */
export const testScaffoldGenerator: FileGeneratorFactory = (root): FileGenerator => {
  let project: TypeScriptProject;
  let vocabulary: ParameterVocabulary;
  let repositoryFiles: string[];
  let written = 0;
  let assertions = 0;
  const notes: string[] = [];
  return {
    select: (candidates) => candidates.filter((f) => isSourceFile(f) && !TEST_FILE.test(f)),
    async prepare(files) {
      project = new TypeScriptProject(root, files);
      repositoryFiles = listRepositoryFiles(root);
      vocabulary = ParameterVocabulary.fromProgram(project.program(), (name) => name.startsWith(`${root}/`) && !name.includes('/node_modules/'));
    },
    async processFile(file): Promise<FileOutcome> {
      const specs = moduleSurface(project.program(), project.abs(file), vocabulary);
      if (specs.length === 0) return { status: 'unchanged', touched: [], detail: 'exports no functions or classes to test' };
      let recording: Recording;
      try {
        recording = await recordBehaviour(project.abs(file), specs);
      } catch (error) {
        return { status: 'unchanged', touched: [], detail: `the module cannot be loaded to record its behaviour: ${(error as Error).message.split('\n')[0]}` };
      }
      if (recording.skipped.length) notes.push(...recording.skipped.map((s) => `${file}: not tested — ${s}`));
      if (recording.functions.length === 0 && recording.classes.length === 0) {
        return { status: 'unchanged', touched: [], detail: `nothing could be exercised: ${recording.skipped.join('; ')}` };
      }
      const conventions = detectTestConventions(root, repositoryFiles, file);
      const testFile = testFilePath(file, conventions, (path) => existsSync(join(root, path)) || repositoryFiles.includes(path));
      const specifier = importSpecifier(testFile, file, conventions);

      let text = await render(file, testFile, specifier, recording, conventions);
      if (isTypeScriptFile(testFile)) {
        const baseline = environmentDiagnostics(project, repositoryFiles);
        const checked = await dropBlocksThatDoNotCompile(project, file, testFile, specifier, recording, conventions, baseline);
        if (!checked) return { status: 'unchanged', touched: [], detail: 'no generated test block type-checks' };
        ({ text, recording } = checked);
      }
      const path = join(root, testFile);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      if (conventions.framework === 'node' && !isTypeScriptFile(testFile)) {
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
      return { status: 'changed', touched: [testFile], detail: `${testFile}: ${count} assertion(s) on ${describe(recording)}` };
    },
    async finish() {
      return { notes, stats: { testFiles: written, assertions } };
    },
  };
};

async function render(sourceFile: string, testFile: string, specifier: string, recording: Recording, conventions: TestConventions): Promise<string> {
  return formatLikeTheRepository(testFile, renderTestFile({ sourceFile, specifier, recording, conventions }));
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
  conventions: TestConventions,
  baseline: Set<number>,
): Promise<{ text: string; recording: Recording } | undefined> {
  let current = recording;
  for (let round = 0; round < 3; round += 1) {
    const text = await render(sourceFile, testFile, specifier, current, conventions);
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
    // Which test blocks hold the errors: by the name in `test('<name>', …)` preceding each error.
    const broken = new Set<string>();
    for (const error of errors) {
      const before = text.slice(0, error.start);
      const match = [...before.matchAll(/test\(\s*['"]([^'"]+)['"]/g)].pop();
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
function environmentDiagnostics(project: TypeScriptProject, repositoryFiles: string[]): Set<number> {
  const existing = repositoryFiles.find((f) => TEST_FILE.test(f) && isTypeScriptFile(f));
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
    recording.functions.reduce((sum, f) => sum + f.calls.filter((c) => c.outcome.kind !== 'pending').length, 0) +
    recording.classes.reduce((sum, c) => sum + (c.constructorOutcome ? 1 : Math.max(1, c.steps.length)), 0)
  );
}

function describe(recording: Recording): string {
  return [...recording.functions.map((f) => f.spec.localName), ...recording.classes.map((c) => c.spec.localName)].join(', ');
}
