import { basename, dirname, join, normalize } from 'node:path/posix';
import { EMPTY_LAYOUT, type PackageEntryPoints, type ProjectLayout } from './project-layout';
import { isAnalysableSource, isProductModule, isTestFile } from './source-files';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** TypeScript's ESM convention: `import './x.js'` names the source `./x.ts`. */
const SOURCE_TWINS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };
const DECLARATION = /\.d\.[cm]?ts$/;
/** Where builds put compiled files: `dist/esm/index.js` was compiled from `src/index.ts` (or `index.ts`). */
const BUILD_PREFIX = /^((?:.*\/)?)((?:dist|lib|build|out|esm|cjs|es|umd|types|typings)\/)+/;

const joinPath = (dir: string, path: string) => {
  const joined = normalize(join(dir || '.', path));
  return joined === '.' ? '' : joined.replace(/^\.\//, '');
};
const isUnder = (dir: string, path: string) => dir === '' || path === dir || path.startsWith(`${dir}/`);

/**
 * Which tracked files an import names, the way Node, TypeScript and
 * bundlers would resolve it inside this repository: relative paths (with
 * or without extension, `.js` naming `.ts`, directories through their
 * `package.json` or `index`), the repository's own package names with
 * their `exports` / `main` / `module` / `types` (a built entry mapped back
 * to its source through tsconfig `outDir`/`rootDir` or the same path under
 * `src/`), and tsconfig `paths` / `baseUrl` aliases.
 */
export class ModuleResolver {
  private readonly packagesByDir: Map<string, PackageEntryPoints>;

  constructor(
    private readonly files: ReadonlySet<string>,
    private readonly layout: ProjectLayout = EMPTY_LAYOUT,
  ) {
    this.packagesByDir = new Map(layout.packages.map((p) => [p.dir, p]));
  }

  /** The tracked files `specifier`, imported by `from`, names (usually one; a conditional entry point may name several). */
  resolve(from: string, specifier: string): string[] {
    if (specifier.startsWith('.')) return this.resolvePath(joinPath(dirname(from), specifier));
    const found = new Set<string>();
    for (const pkg of this.layout.packages) {
      if (!pkg.name) continue;
      if (specifier === pkg.name) this.packageEntry(pkg, '.').forEach((f) => found.add(f));
      else if (specifier.startsWith(`${pkg.name}/`)) this.packageEntry(pkg, `./${specifier.slice(pkg.name.length + 1)}`).forEach((f) => found.add(f));
    }
    for (const config of this.layout.tsconfigs) {
      if (!isUnder(config.dir, from)) continue;
      const base = config.baseUrl ?? config.dir;
      for (const [pattern, targets] of Object.entries(config.paths)) {
        const star = matchPattern(pattern, specifier);
        if (star === undefined) continue;
        for (const target of targets) this.resolvePath(joinPath(base, target.replace('*', star))).forEach((f) => found.add(f));
      }
      // `baseUrl` alone lets `import 'utils/x'` name `<baseUrl>/utils/x`.
      if (config.baseUrl !== undefined) this.resolvePath(joinPath(config.baseUrl, specifier)).forEach((f) => found.add(f));
    }
    return [...found].sort();
  }

  /** A path in the repository (a file, a file without extension, a directory, a built file) → tracked source files. */
  private resolvePath(path: string, depth = 0): string[] {
    if (path.startsWith('..') || depth > 4) return [];
    const bare = DECLARATION.test(path) ? path.replace(DECLARATION, '') : path;
    // A source file at the path itself wins (a JavaScript project's `lib/` is its source); a built one is traced to its source.
    const direct = this.resolveExact(bare, depth);
    if (direct.length && direct.every(isAnalysableSource)) return direct;
    for (const candidate of this.sourcesOfBuilt(bare)) {
      const found = this.resolveExact(candidate, depth);
      if (found.length) return found;
    }
    return direct;
  }

  private resolveExact(target: string, depth: number): string[] {
    if (target && this.files.has(target)) return [target];
    const ext = EXTENSIONS.find((e) => target.endsWith(e));
    if (ext) {
      for (const twin of SOURCE_TWINS[ext] ?? []) {
        const candidate = target.slice(0, -ext.length) + twin;
        if (this.files.has(candidate)) return [candidate];
      }
    }
    for (const e of EXTENSIONS) if (target && this.files.has(target + e)) return [target + e];
    // A directory: its package.json's entry points (`import '..'` from test/ names the package), else its index.
    const pkg = this.packagesByDir.get(target);
    if (pkg) {
      const entries = this.packageEntry(pkg, '.', depth + 1);
      if (entries.length) return entries;
    }
    for (const e of EXTENSIONS) {
      const index = joinPath(target, `index${e}`);
      if (this.files.has(index)) return [index];
    }
    return [];
  }

  /** What `<package name><subpath>` names. */
  private packageEntry(pkg: PackageEntryPoints, subpath: string, depth = 0): string[] {
    const found = new Set<string>();
    for (const [key, targets] of pkg.exports) {
      const star = matchPattern(key, subpath);
      if (star === undefined) continue;
      for (const target of targets) this.resolvePath(joinPath(pkg.dir, target.replace('*', star)), depth + 1).forEach((f) => found.add(f));
    }
    if (found.size === 0) {
      // No (matching) entry: the subpath is a path in the package (bundlers and older resolution allow it); `.` its index.
      this.resolvePath(joinPath(pkg.dir, subpath === '.' ? 'index' : subpath), depth + 1).forEach((f) => found.add(f));
    }
    return [...found].sort();
  }

  /** Source files a built path was compiled from: tsconfig `outDir` → `rootDir`, else `dist/x` → `src/x` or `x`. */
  private sourcesOfBuilt(path: string): string[] {
    const candidates: string[] = [];
    for (const config of this.layout.tsconfigs) {
      if (config.outDir === undefined || config.outDir === config.dir || !isUnder(config.outDir, path)) continue;
      const rest = path.slice(config.outDir.length).replace(/^\//, '');
      const roots = config.rootDir !== undefined ? [config.rootDir] : [joinPath(config.dir, 'src'), config.dir];
      for (const root of roots) candidates.push(joinPath(root, rest));
    }
    const built = BUILD_PREFIX.exec(path);
    if (built) {
      const rest = path.slice(built[0].length);
      candidates.push(`${built[1]}src/${rest}`, `${built[1]}${rest}`);
    }
    // Bundlers write `.mjs`/`.cjs` from `.ts`: any source extension will do.
    const withoutExtension = candidates.map((c) => c.replace(/\.[cm]?jsx?$/, ''));
    return [...candidates, ...withoutExtension].filter((c, i, all) => c !== path && all.indexOf(c) === i);
  }
}

/** `*`-pattern matching as in `exports` and `paths`: the text the star stands for, or undefined. */
function matchPattern(pattern: string, value: string): string | undefined {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === value ? '' : undefined;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  if (value.length < prefix.length + suffix.length || !value.startsWith(prefix) || !value.endsWith(suffix)) return undefined;
  return value.slice(prefix.length, value.length - suffix.length);
}

/** The tracked file a relative import of `from` names, if any. */
export function resolveRelativeImport(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  return new ModuleResolver(files).resolve(from, specifier)[0];
}

/** `src/a/foo.ts`, `test/foo.spec.ts`, `__tests__/foo.js` → `foo`. */
function stem(path: string): string {
  return basename(path).replace(/\.(test|spec|e2e-spec|e2e)(?=\.[^.]+$)/, '').replace(/\.[^.]+$/, '');
}

export interface ModuleFacts {
  relativeImports: string[];
  packageImports?: string[];
  reExports?: string[];
  exportCount: number;
}

/**
 * The modules tests reach: what they import (relatively, by package name,
 * by alias), what those pass on by re-exporting (a barrel), and what those
 * import in turn — a module a test runs through the public entry point is
 * exercised, not untested (as a coverage report would show).
 */
export function modulesReachedByTests(facts: ReadonlyMap<string, ModuleFacts>, resolver: ModuleResolver): Set<string> {
  const reached = new Set<string>();
  const queue: string[] = [];
  const reach = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    queue.push(file);
  };
  for (const [file, f] of facts) {
    if (!isTestFile(file)) continue;
    for (const specifier of [...f.relativeImports, ...(f.packageImports ?? [])]) resolver.resolve(file, specifier).forEach(reach);
  }
  while (queue.length) {
    const file = queue.pop()!;
    const f = facts.get(file);
    if (!f) continue;
    for (const specifier of [...(f.reExports ?? []), ...f.relativeImports, ...(f.packageImports ?? [])]) resolver.resolve(file, specifier).forEach(reach);
  }
  return reached;
}

/**
 * Product modules with exports that no test touches: not reached by any
 * test file (see `modulesReachedByTests`), without a test file of the same
 * name, and not executed according to a coverage report.
 */
export function findUntestedModules(input: {
  files: ReadonlySet<string>;
  /** Imports, re-exports and export counts of every analysed source file. */
  facts: ReadonlyMap<string, ModuleFacts>;
  /** Files a coverage report shows as executed. */
  covered: ReadonlySet<string>;
  layout?: ProjectLayout;
}): string[] {
  const tested = modulesReachedByTests(input.facts, new ModuleResolver(input.files, input.layout));
  const testStems = new Set([...input.facts.keys()].filter(isTestFile).map(stem));
  const untested: string[] = [];
  for (const [file, facts] of input.facts) {
    if (!isProductModule(file) || facts.exportCount === 0) continue;
    // An `index` module shares its name with too many others to be matched by name.
    const byName = stem(file) !== 'index' && testStems.has(stem(file));
    if (tested.has(file) || byName || input.covered.has(file)) continue;
    untested.push(file);
  }
  return untested.sort();
}
