import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { filterNpmrc, filterYarnrc } from './npmrc-policy';

/**
 * Dependency trees, built once per (lockfile, manager and version, Node.js
 * major, platform, allowed scripts, install settings) and shared: a later
 * checkout with the same key gets the tree's node_modules linked in, and
 * installs nothing.
 *
 * The tree is installed in a copy of the checkout (its sources too:
 * workspaces, `file:` dependencies, patches and `.pnpmfile.cjs` need them),
 * never in the checkout. Linking a checkout creates a real `node_modules`
 * directory per node_modules of the tree (root and workspace packages) whose
 * entries are symlinks into the tree, which the sandbox mounts read-only:
 * a test cannot change a cached package for the next task, and tools keep
 * a writable `node_modules/.cache`. Links that led out of node_modules
 * (workspace packages, `file:` directories) are re-pointed at the checkout,
 * so a monorepo's packages resolve to the patched sources, not the tree's copy.
 */

const execFileAsync = promisify(execFile);

/** Bump when the layout of a tree changes, so old entries are not reused. */
export const TREE_FORMAT = 1;

/** Files besides package.json and the lockfile that change what an install produces. */
const INSTALL_INPUT_FILES = ['.npmrc', '.yarnrc', '.yarnrc.yml', 'pnpm-workspace.yaml', '.pnpmfile.cjs', 'pnpmfile.js'];
const INSTALL_INPUT_DIRS = ['patches', '.yarn/patches', '.yarn/plugins', '.yarn/releases'];
/** The fields of a package.json an install reads. */
const MANIFEST_INSTALL_FIELDS = [
  'name',
  'version',
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bundleDependencies',
  'bundledDependencies',
  'workspaces',
  'overrides',
  'resolutions',
  'pnpm',
  'dependenciesMeta',
  'packageManager',
  'bin',
];
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);

export interface TreeKeyInput {
  lockfile: string;
  manager: string;
  managerVersion: string;
  nodeMajor: number;
  allowScripts: string[];
}

export type LinkMode = 'symlink' | 'copy';

/** Relative paths of every package.json outside node_modules and .git (root included). */
export async function findManifests(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 12) return;
    for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) await walk(join(dir, entry.name), depth + 1);
      else if (entry.isFile() && entry.name === 'package.json') found.push(join(dir, entry.name));
    }
  };
  await walk('', 0);
  return found.sort();
}

async function filesUnder(root: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) await walk(join(rel, entry.name));
      else if (entry.isFile()) found.push(join(rel, entry.name));
    }
  };
  await walk(dir);
  return found.sort();
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (['ENOENT', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

/** sha256 over everything that determines the installed tree; the hex is the cache key. */
export async function treeKey(checkoutDir: string, input: TreeKeyInput): Promise<{ key: string; lockfileSha256: string }> {
  const lockfileBytes = await readFile(join(checkoutDir, input.lockfile));
  const lockfileSha256 = createHash('sha256').update(lockfileBytes).digest('hex');
  const hash = createHash('sha256');
  const add = (label: string, value: string | Buffer) => hash.update(`${label}\0${value.length}\0`).update(value).update('\0');
  add('format', String(TREE_FORMAT));
  add('lockfile', lockfileSha256);
  add('manager', `${input.manager}@${input.managerVersion}`);
  add('node', String(input.nodeMajor));
  add('platform', `${process.platform}-${process.arch}`);
  add('allowScripts', [...new Set(input.allowScripts)].sort().join(','));
  for (const manifest of await findManifests(checkoutDir)) {
    const parsed = safeJson(await readFile(join(checkoutDir, manifest), 'utf8'));
    add(`manifest ${manifest}`, JSON.stringify(MANIFEST_INSTALL_FIELDS.map((field) => parsed?.[field] ?? null)));
  }
  for (const file of INSTALL_INPUT_FILES) {
    const bytes = await readIfPresent(join(checkoutDir, file));
    if (bytes) add(`file ${file}`, file === '.npmrc' ? filterNpmrc(bytes.toString('utf8')).text : file === '.yarnrc' ? filterYarnrc(bytes.toString('utf8')).text : bytes);
  }
  for (const dir of INSTALL_INPUT_DIRS) for (const file of await filesUnder(checkoutDir, dir)) add(`file ${file}`, await readFile(join(checkoutDir, file)));
  return { key: hash.digest('hex').slice(0, 32), lockfileSha256 };
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // a broken fixture manifest deep in the tree: it still counts, as null fields
  }
}

/**
 * Copies the checkout (without .git and node_modules) to `target`, with the
 * repository's .npmrc/.yarnrc replaced by their filtered versions. Returns
 * the rc keys that were dropped, for the report.
 */
export async function stageProject(checkoutDir: string, target: string): Promise<{ droppedRcKeys: string[] }> {
  await cp(checkoutDir, target, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => {
      const rel = relative(checkoutDir, source);
      return !rel.split(sep).some((part) => SKIPPED_DIRS.has(part)) && rel !== '.npmrc' && rel !== '.yarnrc';
    },
  });
  const dropped: string[] = [];
  for (const [file, filter] of [
    ['.npmrc', filterNpmrc],
    ['.yarnrc', filterYarnrc],
  ] as const) {
    const bytes = await readIfPresent(join(checkoutDir, file));
    if (!bytes) continue;
    const filtered = filter(bytes.toString('utf8'));
    dropped.push(...filtered.dropped.map((key) => `${file}: ${key}`));
    if (filtered.text) await writeFile(join(target, file), filtered.text);
  }
  return { droppedRcKeys: dropped };
}

/** Relative paths of the node_modules directories of an installed project (root and workspace packages), not nested ones. */
export async function findNodeModulesDirs(projectDir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 12) return;
    for (const entry of await readdir(join(projectDir, dir), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const rel = join(dir, entry.name);
      if (entry.name === 'node_modules') found.push(rel);
      else if (!SKIPPED_DIRS.has(entry.name)) await walk(rel, depth + 1);
    }
  };
  await walk('', 0);
  return found.sort();
}

function insideNodeModules(rel: string): boolean {
  return rel.split(sep).includes('node_modules');
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export interface LinkResult {
  linked: string[];
  skipped: string[];
}

/**
 * Gives `checkoutDir` the tree's node_modules directories. An existing
 * node_modules in the checkout is replaced (a checkout is ours to prepare).
 */
export async function linkTree(treeProject: string, checkoutDir: string, nodeModulesDirs: string[], mode: LinkMode): Promise<LinkResult> {
  const linked: string[] = [];
  const skipped: string[] = [];
  for (const rel of nodeModulesDirs) {
    const target = join(checkoutDir, rel);
    if (!within(checkoutDir, target) || !(await isRealDirectory(dirname(target), checkoutDir))) {
      skipped.push(rel); // its package is not in this checkout (a patch removed it)
      continue;
    }
    await rm(target, { recursive: true, force: true });
    if (mode === 'copy') {
      // Relative links (workspace packages, .bin) stay relative and so resolve inside the checkout.
      await execFileAsync('cp', ['-a', '--reflink=auto', join(treeProject, rel), target]);
    } else {
      await mkdir(target);
      await linkEntries(join(treeProject, rel), target, treeProject, checkoutDir, 0);
    }
    linked.push(rel);
  }
  return { linked, skipped };
}

/** Whether `dir` is a directory reached without symlinks from `root` (so a link cannot make us write outside the checkout). */
async function isRealDirectory(dir: string, root: string): Promise<boolean> {
  try {
    const resolved = await realpath(dir);
    return (await lstat(dir)).isDirectory() && within(await realpath(root), resolved) && resolved === join(await realpath(root), relative(root, dir));
  } catch {
    return false;
  }
}

async function linkEntries(source: string, target: string, treeProject: string, checkoutDir: string, depth: number): Promise<void> {
  for (const entry of await readdir(source, { withFileTypes: true })) {
    // Tools write caches here (babel, eslint, nyc): the checkout keeps its own.
    if (depth === 0 && entry.name === '.cache') continue;
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isSymbolicLink()) {
      let real: string | undefined;
      try {
        real = await realpath(from);
      } catch {
        real = undefined;
      }
      if (real && within(treeProject, real) && !insideNodeModules(relative(treeProject, real))) {
        // A workspace package or a file: directory: the checkout's own copy, relative as the manager made it.
        await symlink(relative(dirname(to), join(checkoutDir, relative(treeProject, real))), to);
      } else if (!real) {
        await symlink(await readlink(from), to);
      } else {
        await symlink(from, to);
      }
    } else if (entry.isDirectory() && depth === 0 && (entry.name.startsWith('@') || entry.name === '.bin')) {
      await mkdir(to);
      await linkEntries(from, to, treeProject, checkoutDir, depth + 1);
    } else {
      await symlink(from, to);
    }
  }
}
