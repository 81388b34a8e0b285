import { basename, dirname, join, normalize } from 'node:path/posix';
import { isProductModule, isTestFile } from './source-files';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** TypeScript's ESM convention: `import './x.js'` names the source `./x.ts`. */
const SOURCE_TWINS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

/** The tracked file a relative import of `from` names, if any. */
export function resolveRelativeImport(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const target = normalize(join(dirname(from), specifier));
  if (target.startsWith('..')) return undefined;
  if (files.has(target)) return target;
  const ext = EXTENSIONS.find((e) => target.endsWith(e));
  if (ext) {
    for (const twin of SOURCE_TWINS[ext] ?? []) {
      const candidate = target.slice(0, -ext.length) + twin;
      if (files.has(candidate)) return candidate;
    }
  }
  for (const e of EXTENSIONS) {
    if (files.has(target + e)) return target + e;
  }
  for (const e of EXTENSIONS) {
    if (files.has(`${target}/index${e}`)) return `${target}/index${e}`;
  }
  return undefined;
}

/** `src/a/foo.ts`, `test/foo.spec.ts`, `__tests__/foo.js` → `foo`. */
function stem(path: string): string {
  return basename(path).replace(/\.(test|spec|e2e-spec|e2e)(?=\.[^.]+$)/, '').replace(/\.[^.]+$/, '');
}

/**
 * Product modules with exports that no test touches: not imported by any
 * test file, without a test file of the same name, and not executed
 * according to a coverage report.
 */
export function findUntestedModules(input: {
  files: ReadonlySet<string>;
  /** Relative imports and export counts of every analysed source file. */
  facts: ReadonlyMap<string, { relativeImports: string[]; exportCount: number }>;
  /** Files a coverage report shows as executed. */
  covered: ReadonlySet<string>;
}): string[] {
  const tested = new Set<string>();
  const testStems = new Set<string>();
  for (const [file, facts] of input.facts) {
    if (!isTestFile(file)) continue;
    testStems.add(stem(file));
    for (const specifier of facts.relativeImports) {
      const target = resolveRelativeImport(file, specifier, input.files);
      if (target) tested.add(target);
    }
  }
  const untested: string[] = [];
  for (const [file, facts] of input.facts) {
    if (!isProductModule(file) || facts.exportCount === 0) continue;
    // An \`index\` module shares its name with too many others to be matched by name.
    const byName = stem(file) !== 'index' && testStems.has(stem(file));
    if (tested.has(file) || byName || input.covered.has(file)) continue;
    untested.push(file);
  }
  return untested.sort();
}
