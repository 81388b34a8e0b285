import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, posix, relative } from 'node:path';

/** How a repository writes its tests, read from the tests it has. */
export interface TestConventions {
  framework: 'node' | 'jest' | 'vitest';
  /** jest only: whether tests import from '@jest/globals' rather than using globals. */
  jestGlobalsImport: boolean;
  moduleSyntax: 'esm' | 'cjs';
  /** `test` or `spec`. */
  suffix: string;
  /** Where a module's test goes: `colocated`, or a directory mapping (`src` → `test`). */
  placement: { type: 'colocated' } | { type: 'mapped'; sourceDir: string; testDir: string };
  /** How relative imports end: with the source's extension, with `.js` for TypeScript, or bare. */
  importExtension: 'source' | 'js' | 'none';
}

const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', 'out', '.next', 'reports']);
const MAX_FILES = 20_000;

/** Every file of the repository (relative paths), without dependencies, builds and hidden directories. */
export function listRepositoryFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (files.length >= MAX_FILES) return;
      if (entry.name.startsWith('.') && entry.name !== '.') continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (entry.isFile()) {
        files.push(path);
      }
    }
  };
  walk('');
  return files.sort();
}

export function detectTestConventions(root: string, files: string[], sourceFile: string): TestConventions {
  const tests = files.filter((f) => TEST_FILE.test(f) && !f.includes('/known-failing/'));
  const contents = tests.slice(0, 30).map((f) => readFileSync(join(root, f), 'utf8'));
  const packageJson = readPackageJson(root);
  const dependencies = { ...packageJson.dependencies, ...packageJson.devDependencies };

  let framework: TestConventions['framework'] = 'node';
  if (contents.some((c) => /from ['"]vitest['"]/.test(c)) || ('vitest' in dependencies && !contents.some((c) => /node:test/.test(c)))) framework = 'vitest';
  else if (contents.some((c) => /node:test/.test(c))) framework = 'node';
  else if ('jest' in dependencies || contents.some((c) => /\bexpect\(/.test(c))) framework = 'jest';

  const esmSource = /\.(ts|tsx|mts|mjs)$/.test(sourceFile) || (sourceFile.endsWith('.js') && packageJson.type === 'module');
  const usesImport = contents.filter((c) => /^\s*import\s/m.test(c)).length;
  const usesRequire = contents.filter((c) => /\brequire\(/.test(c)).length;
  const moduleSyntax: TestConventions['moduleSyntax'] = usesImport === 0 && usesRequire === 0 ? (esmSource ? 'esm' : 'cjs') : usesImport >= usesRequire ? 'esm' : 'cjs';

  const suffix = tests.filter((t) => t.includes('.spec.')).length > tests.length / 2 ? 'spec' : 'test';

  const relativeImports = contents.flatMap((c) => [...c.matchAll(/(?:from\s+|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]));
  let importExtension: TestConventions['importExtension'];
  const typescript = /\.(ts|tsx|mts|cts)$/.test(sourceFile);
  if (relativeImports.length === 0) {
    // ES modules need extensions (`.js` even for TypeScript under NodeNext); CommonJS and bundlers do not.
    if (!typescript) importExtension = moduleSyntax === 'esm' ? 'source' : 'none';
    else importExtension = packageJson.type === 'module' || sourceFile.endsWith('.mts') ? 'js' : 'none';
  }
  else if (relativeImports.some((i) => /\.(ts|tsx|mts|cts)$/.test(i))) importExtension = 'source';
  else if (relativeImports.some((i) => /\.(m|c)?js$/.test(i))) importExtension = typescript ? 'js' : 'source';
  else importExtension = 'none';

  return {
    framework,
    jestGlobalsImport: contents.some((c) => /@jest\/globals/.test(c)),
    moduleSyntax,
    suffix,
    placement: detectPlacement(tests, files),
    importExtension,
  };
}

function detectPlacement(tests: string[], files: string[]): TestConventions['placement'] {
  const sources = new Set(files);
  const votes = new Map<string, number>();
  for (const test of tests) {
    const name = basename(test).replace(/\.(test|spec)(\.[cm]?[jt]sx?)$/, '$2');
    const colocated = posix.join(dirname(test), name);
    if (sources.has(colocated)) {
      votes.set('colocated', (votes.get('colocated') ?? 0) + 1);
      continue;
    }
    // The test's module elsewhere: same name, same sub-path under another top directory.
    const [testTop, ...testRest] = test.split('/');
    for (const candidate of files) {
      if (basename(candidate) !== name || candidate === test) continue;
      const [sourceTop, ...sourceRest] = candidate.split('/');
      if (dirname(sourceRest.join('/')) === dirname(testRest.join('/')) && sourceTop !== testTop) {
        const key = `${sourceTop}\u0000${testTop}`;
        votes.set(key, (votes.get(key) ?? 0) + 1);
      }
    }
  }
  const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
  if (best && best[0] !== 'colocated') {
    const [sourceDir, testDir] = best[0].split('\u0000');
    return { type: 'mapped', sourceDir, testDir };
  }
  if (best) return { type: 'colocated' };
  const testDir = ['test', 'tests', '__tests__'].find((d) => files.some((f) => f.startsWith(`${d}/`)));
  return testDir ? { type: 'mapped', sourceDir: 'src', testDir } : { type: 'colocated' };
}

/** Where the new test for `sourceFile` goes, not clobbering an existing file. */
export function testFilePath(sourceFile: string, conventions: TestConventions, exists: (path: string) => boolean): string {
  const extension = extname(sourceFile);
  const name = basename(sourceFile, extension);
  let dir = dirname(sourceFile);
  if (conventions.placement.type === 'mapped') {
    const { sourceDir, testDir } = conventions.placement;
    dir = dir === sourceDir || dir.startsWith(`${sourceDir}/`) ? testDir + dir.slice(sourceDir.length) : posix.join(testDir, dir === '.' ? '' : dir);
  }
  for (let n = 0; ; n += 1) {
    const stem = n === 0 ? name : n === 1 ? `${name}.characterization` : `${name}.characterization-${n}`;
    const path = posix.join(dir, `${stem}.${conventions.suffix}${extension}`);
    if (!exists(path)) return path;
  }
}

/** The specifier the test imports its module by. */
export function importSpecifier(testFile: string, sourceFile: string, conventions: TestConventions): string {
  let specifier = relative(dirname(testFile), sourceFile).split('\\').join('/');
  if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  if (conventions.importExtension === 'none') return specifier.replace(/\.[cm]?[jt]sx?$/, '');
  if (conventions.importExtension === 'js') return specifier.replace(/\.(ts|tsx)$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs');
  return specifier;
}

interface PackageJson {
  type?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackageJson(root: string): PackageJson {
  const path = join(root, 'package.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  } catch {
    return {};
  }
}
