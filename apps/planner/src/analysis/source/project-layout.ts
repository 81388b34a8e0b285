import { dirname, join, normalize } from 'node:path/posix';
import ts from 'typescript';

/** A package of the repository (the root one, or a workspace's): what its own name resolves to. */
export interface PackageEntryPoints {
  /** Its directory, relative to the repository root (`''` for the root). */
  dir: string;
  name?: string;
  /** Subpath (`.`, `./utils`, `./*`) → the files it names, relative to `dir` (`./dist/index.js`). */
  exports: Map<string, string[]>;
}

/** What a tsconfig says about where imports go and where compiled files land. */
export interface TsConfigLayout {
  /** The config's directory; its `paths` apply to files under it. */
  dir: string;
  /** `baseUrl`, resolved against `dir` (`paths` targets are relative to it). */
  baseUrl?: string;
  paths: Record<string, string[]>;
  /** `outDir` and `rootDir`, resolved against `dir`: `dist/x.js` was compiled from `src/x.ts`. */
  outDir?: string;
  rootDir?: string;
}

/** How the repository's own modules name each other beyond relative paths. */
export interface ProjectLayout {
  packages: PackageEntryPoints[];
  tsconfigs: TsConfigLayout[];
}

export const EMPTY_LAYOUT: ProjectLayout = { packages: [], tsconfigs: [] };

/** `package.json` and `tsconfig*.json` / `jsconfig.json`: the files a layout is read from. */
export function isLayoutFile(path: string): boolean {
  return /(^|\/)(package\.json|tsconfig(\.[\w-]+)?\.json|jsconfig\.json)$/.test(path) && !/(^|\/)node_modules\//.test(path);
}

const dirOf = (path: string) => {
  const dir = dirname(path);
  return dir === '.' ? '' : dir;
};
const under = (dir: string, path: string) => normalize(join(dir || '.', path)).replace(/^\.\/?$/, '').replace(/^\.\//, '');

/** Every file path a (conditional) `exports` value names: `{ import: …, require: { types, default } }`, arrays. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(exportTargets);
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

export function parsePackageManifest(path: string, text: string): PackageEntryPoints | undefined {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const exports = new Map<string, string[]>();
  const add = (subpath: string, targets: string[]) => {
    const kept = targets.filter((t) => t.startsWith('./') || !t.includes(':'));
    if (kept.length) exports.set(subpath, [...(exports.get(subpath) ?? []), ...kept]);
  };
  const field = json.exports;
  if (typeof field === 'string' || Array.isArray(field)) add('.', exportTargets(field));
  else if (field && typeof field === 'object') {
    const keys = Object.keys(field);
    if (keys.some((k) => k.startsWith('.'))) for (const key of keys) add(key, exportTargets((field as Record<string, unknown>)[key]));
    else add('.', exportTargets(field));
  }
  // Without `exports`, Node and bundlers take the entry fields; with it, they are still what older tools read.
  for (const entry of ['main', 'module', 'types', 'typings', 'source']) {
    const value = json[entry];
    if (typeof value === 'string' && value) add('.', [value]);
  }
  return { dir: dirOf(path), name: typeof json.name === 'string' ? json.name : undefined, exports };
}

export function parseTsConfig(path: string, text: string): TsConfigLayout | undefined {
  const parsed = ts.parseConfigFileTextToJson(path, text);
  const options = (parsed.config as { compilerOptions?: Record<string, unknown> } | undefined)?.compilerOptions;
  if (parsed.error || !options) return undefined;
  const dir = dirOf(path);
  const asPath = (value: unknown) => (typeof value === 'string' ? under(dir, value) : undefined);
  const paths: Record<string, string[]> = {};
  if (options.paths && typeof options.paths === 'object') {
    for (const [pattern, targets] of Object.entries(options.paths as Record<string, unknown>)) {
      if (Array.isArray(targets)) paths[pattern] = targets.filter((t): t is string => typeof t === 'string');
    }
  }
  const layout: TsConfigLayout = { dir, paths, baseUrl: asPath(options.baseUrl), outDir: asPath(options.outDir), rootDir: asPath(options.rootDir) };
  return layout.baseUrl !== undefined || Object.keys(paths).length || layout.outDir !== undefined ? layout : undefined;
}

/** The layout from the repository's manifests and TypeScript/JavaScript configs (unreadable ones are left out). */
export function parseProjectLayout(files: ReadonlyArray<{ path: string; text: string }>): ProjectLayout {
  const packages: PackageEntryPoints[] = [];
  const tsconfigs: TsConfigLayout[] = [];
  for (const { path, text } of files) {
    if (/(^|\/)package\.json$/.test(path)) {
      const manifest = parsePackageManifest(path, text);
      if (manifest) packages.push(manifest);
    } else {
      const config = parseTsConfig(path, text);
      if (config) tsconfigs.push(config);
    }
  }
  return { packages, tsconfigs };
}
