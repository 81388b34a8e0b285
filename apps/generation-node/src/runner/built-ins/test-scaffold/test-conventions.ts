import { readdirSync } from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';
import type { TestSetup } from './test-setup-detection';

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

/** Root-level files too (`.mocharc.yml`, which the walk above leaves out as hidden). */
export function listRootConfigFiles(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.startsWith('.'))
    .map((e) => e.name);
}

/** Where the new test for `sourceFile` goes, in the repository's layout and naming, not clobbering an existing file. */
export function testFilePath(sourceFile: string, setup: TestSetup, exists: (path: string) => boolean): string {
  const name = basename(sourceFile).replace(/\.[cm]?[jt]sx?$/, '');
  let dir = dirname(sourceFile);
  if (setup.placement.type === 'mapped') {
    const { sourceDir, testDir, flat } = setup.placement;
    const within = sourceDir === '.' ? dir : dir === sourceDir ? '' : dir.startsWith(`${sourceDir}/`) ? dir.slice(sourceDir.length + 1) : dir;
    dir = flat ? testDir : posix.join(testDir, within === '.' ? '' : within);
  }
  for (let n = 0; ; n += 1) {
    const stem = n === 0 ? name : n === 1 ? `${name}.characterization` : `${name}.characterization-${n}`;
    const file =
      setup.naming.kind === 'suffix' ? `${stem}.${setup.naming.suffix}${setup.extension}` : setup.naming.kind === 'prefix' ? `${setup.naming.prefix}${stem}${setup.extension}` : `${stem}${setup.extension}`;
    const path = posix.join(dir, file);
    if (!exists(path) && path !== sourceFile) return path;
  }
}

/** The specifier the test imports its module by: the package name for its entry when the tests do so, else a relative path. */
export function importSpecifier(testFile: string, sourceFile: string, setup: TestSetup): string {
  if (setup.packageImport && posix.normalize(sourceFile) === setup.packageImport.entry) return setup.packageImport.name;
  let specifier = relative(dirname(testFile), sourceFile).split('\\').join('/');
  if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  if (setup.importExtension === 'none') return specifier.replace(/\.[cm]?[jt]sx?$/, '');
  if (setup.importExtension === 'js') return specifier.replace(/\.(ts|tsx)$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs');
  return specifier;
}
