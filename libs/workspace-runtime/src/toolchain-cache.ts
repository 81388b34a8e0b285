import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import semver from 'semver';
import type { Sandbox } from '@autocode/sandbox';
import { ensureCacheEntry, type CacheEntryOptions } from './cache-entry';
import { classifyInstallFailure, PrepareFailureError } from './install-failure';
import type { DetectedPackageManager, PackageManagerName, YarnFlavor } from './package-manager';
import type { NodeRequirement } from './node-requirement';

/**
 * Node.js majors and package managers, fetched from the npm registry as
 * ordinary packages (corepack's signature check fails on these hosts) into
 * the shared cache, once per version, in the sandbox with network on.
 */

export interface NodeToolchain {
  major: number;
  version: string;
  /** Absolute path of the `node` binary. */
  binary: string;
  /** Directory to put first on PATH; undefined for the running Node.js (already on the sandbox's PATH). */
  binDir?: string;
  /** Paths a sandboxed run must be able to read for this Node.js. */
  mounts: string[];
}

export interface ManagerToolchain {
  name: PackageManagerName;
  flavor?: YarnFlavor;
  version: string;
  /** The manager's JavaScript entry point, run with `node`. */
  entry: string;
  /** Shell shims (`pnpm`, `yarn`, `npm` …) that run the entries with the `node` on PATH. */
  binDir: string;
  mounts: string[];
  warnings: string[];
}

const REGISTRY_PACKAGE: Record<string, string> = { npm: 'npm', pnpm: 'pnpm', 'yarn-classic': 'yarn', 'yarn-berry': '@yarnpkg/cli-dist' };
const ENTRY: Record<string, string> = {
  npm: 'npm/bin/npm-cli.js',
  pnpm: 'pnpm/bin/pnpm.cjs',
  'yarn-classic': 'yarn/bin/yarn.js',
  'yarn-berry': '@yarnpkg/cli-dist/bin/yarn.js',
};
const REGISTRY_DIST = 'registry-dist.json';
const SHIMS: Record<string, string[]> = { npm: ['npm'], pnpm: ['pnpm'], 'yarn-classic': ['yarn', 'yarnpkg'], 'yarn-berry': ['yarn', 'yarnpkg'] };

export interface ToolchainCacheOptions {
  cacheDir: string;
  installTimeoutMs: number;
  lock: CacheEntryOptions;
  /** Variables and read-only mounts of steps that reach the registry (an extra CA bundle). */
  networkEnv: Record<string, string>;
  networkMounts: string[];
}

export class ToolchainCache {
  constructor(
    private readonly sandbox: Sandbox,
    private readonly options: ToolchainCacheOptions,
  ) {}

  get npmCacheDir(): string {
    return join(this.options.cacheDir, 'npm-cache');
  }

  /** The npm that ships with the running Node.js. */
  bundledNpmEntry(): string {
    const entry = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
    if (!existsSync(entry)) throw new PrepareFailureError({ kind: 'toolchain-unavailable', message: `the running Node.js has no bundled npm at ${entry}` });
    return entry;
  }

  async node(requirement: NodeRequirement): Promise<NodeToolchain> {
    if (requirement.useRunning) return { major: Number(process.versions.node.split('.')[0]), version: process.version, binary: process.execPath, mounts: [] };
    const { dir } = await ensureCacheEntry(
      join(this.options.cacheDir, 'node', String(requirement.major)),
      // The `node` package fetches the platform's binary in its preinstall script, so scripts stay on here: it is the registry's package, not the repository's.
      (buildDir) => this.npmInstall(buildDir, `node@${requirement.major}`, { scripts: true }),
      this.options.lock,
    );
    const binDir = join(dir, 'node_modules', 'node', 'bin');
    const version = `v${await installedVersion(join(dir, 'node_modules', 'node'))}`;
    return { major: requirement.major, version, binary: join(binDir, 'node'), binDir, mounts: [dir] };
  }

  async manager(detected: DetectedPackageManager): Promise<ManagerToolchain> {
    const id = detected.name === 'yarn' ? `yarn-${detected.flavor}` : detected.name;
    if (detected.name === 'npm' && !detected.versionSpec) return this.bundledNpm();
    const bundled = detected.name === 'npm' ? await this.bundledNpm() : undefined;
    if (bundled && detected.versionSpec === bundled.version) return bundled;
    const spec = `${REGISTRY_PACKAGE[id]}@${detected.versionSpec}`;
    const { dir } = await ensureCacheEntry(
      join(this.options.cacheDir, 'managers', spec.replace('/', '+')),
      async (buildDir) => {
        if (id === 'yarn-berry') {
          await this.installBerry(buildDir, detected.versionSpec!);
        } else {
          await this.npmInstall(buildDir, spec, { scripts: false });
          // The registry's digests of what was installed, kept beside it: every later use checks its packageManager pin against them.
          await writeFile(join(buildDir, REGISTRY_DIST), await this.npmView(buildDir, spec, 'dist'));
        }
        await writeShims(join(buildDir, 'bin'), SHIMS[id], join(buildDir, 'node_modules', ENTRY[id]));
      },
      this.options.lock,
    );
    // Yarn 2+'s pin is the digest of repo.yarnpkg.com's bundle, which the npm registry does not serve: only npm-registry pins are checked.
    if (detected.integrity && id !== 'yarn-berry') checkPin(await this.registryDist(dir, spec), spec, detected.integrity);
    const version = await installedVersion(join(dir, 'node_modules', REGISTRY_PACKAGE[id]));
    const warnings = /^\d+\.\d+\.\d+/.test(detected.versionSpec!) && version !== detected.versionSpec ? [`${detected.name}@${detected.versionSpec} is not on the npm registry; using ${version} of the same major`] : [];
    return { name: detected.name, flavor: detected.flavor, version, entry: join(dir, 'node_modules', ENTRY[id]), binDir: join(dir, 'bin'), mounts: [dir], warnings };
  }

  /**
   * Yarn 2+ as `@yarnpkg/cli-dist`, which skips some releases (4.10.0 is
   * not there): an exact version that is missing gets the next published
   * one of the same major. Returns the spec installed.
   */
  private async installBerry(prefix: string, version: string): Promise<string> {
    try {
      await this.npmInstall(prefix, `@yarnpkg/cli-dist@${version}`, { scripts: false });
      return `@yarnpkg/cli-dist@${version}`;
    } catch (error) {
      if (!(error instanceof PrepareFailureError) || !/ETARGET|notarget|No matching version/.test(error.failure.excerpt ?? '') || !semver.valid(version)) throw error;
    }
    const published = JSON.parse(await this.npmView(prefix, '@yarnpkg/cli-dist', 'versions')) as string[];
    const sameMajor = published.filter((v) => semver.major(v) === semver.major(version) && !semver.prerelease(v)).sort(semver.compare);
    const chosen = sameMajor.find((v) => semver.gt(v, version)) ?? sameMajor.at(-1);
    if (!chosen) throw new PrepareFailureError({ kind: 'toolchain-unavailable', message: `no @yarnpkg/cli-dist ${semver.major(version)}.x on the npm registry for yarn@${version}` });
    await this.npmInstall(prefix, `@yarnpkg/cli-dist@${chosen}`, { scripts: false });
    return `@yarnpkg/cli-dist@${chosen}`;
  }

  /** Shims for the bundled npm: every repository's scripts may call `npm` or `npx`. */
  async bundledNpm(): Promise<ManagerToolchain> {
    const entry = this.bundledNpmEntry();
    const npmDir = dirname(dirname(entry));
    const version = await installedVersion(npmDir);
    const { dir } = await ensureCacheEntry(
      join(this.options.cacheDir, 'managers', `npm-bundled@${version}`),
      async (buildDir) => {
        await writeShims(join(buildDir, 'bin'), ['npm'], entry);
        await writeShims(join(buildDir, 'bin'), ['npx'], join(npmDir, 'bin', 'npx-cli.js'));
      },
      this.options.lock,
    );
    return { name: 'npm', version, entry, binDir: join(dir, 'bin'), mounts: [dir, npmDir], warnings: [] };
  }

  private async npmInstall(prefix: string, spec: string, { scripts }: { scripts: boolean }): Promise<void> {
    await mkdir(this.npmCacheDir, { recursive: true });
    const result = await this.sandbox.run({
      command: process.execPath,
      args: [this.bundledNpmEntry(), 'install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--cache', this.npmCacheDir, '--prefix', prefix, ...(scripts ? [] : ['--ignore-scripts']), spec],
      cwd: prefix,
      timeoutMs: this.options.installTimeoutMs,
      memoryMb: 2048,
      writablePaths: [this.npmCacheDir],
      env: this.options.networkEnv,
      readOnlyPaths: this.options.networkMounts,
      network: true,
    });
    if (result.reason !== 'exited' || result.exitCode !== 0) {
      const failure = classifyInstallFailure(result, `installing ${spec} from the npm registry`);
      throw new PrepareFailureError({ ...failure, kind: failure.kind === 'install-failed' ? 'toolchain-unavailable' : failure.kind });
    }
  }

  /** The registry's `dist` of an installed manager: kept beside it, or asked again for an entry made before it was kept. */
  private async registryDist(dir: string, spec: string): Promise<{ integrity?: string; shasum?: string }> {
    try {
      return JSON.parse(await readFile(join(dir, REGISTRY_DIST), 'utf8')) as { integrity?: string; shasum?: string };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return JSON.parse(await this.npmView(dir, spec, 'dist')) as { integrity?: string; shasum?: string };
    }
  }

  /** `npm view --json <spec> <field>` in the sandbox: the registry's metadata, as JSON text. */
  private async npmView(cwd: string, spec: string, field: string): Promise<string> {
    const result = await this.sandbox.run({
      command: process.execPath,
      args: [this.bundledNpmEntry(), 'view', '--json', '--cache', this.npmCacheDir, spec, field],
      cwd,
      timeoutMs: 60_000,
      writablePaths: [this.npmCacheDir],
      env: this.options.networkEnv,
      readOnlyPaths: this.options.networkMounts,
      network: true,
    });
    if (result.reason !== 'exited' || result.exitCode !== 0) throw new PrepareFailureError(classifyInstallFailure(result, `npm view ${spec} ${field}`));
    return result.stdout;
  }
}

/** corepack's `+sha512.<hex>` / `+sha1.<hex>` is the digest of the release tarball, which the registry states too. */
function checkPin(dist: { integrity?: string; shasum?: string }, spec: string, integrity: { algorithm: string; hex: string }): void {
  if (integrity.algorithm !== 'sha512' && integrity.algorithm !== 'sha1') return;
  const actual = integrity.algorithm === 'sha1' ? dist.shasum : dist.integrity?.startsWith('sha512-') ? Buffer.from(dist.integrity.slice(7), 'base64').toString('hex') : undefined;
  if (actual !== integrity.hex) {
    throw new PrepareFailureError({ kind: 'manager-conflict', message: `${spec}: the registry's ${integrity.algorithm} (${actual}) is not the one package.json "packageManager" pins (${integrity.hex})` });
  }
}

async function installedVersion(packageDir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${packageDir}/package.json has no version`);
  return manifest.version;
}

async function writeShims(binDir: string, names: string[], entry: string): Promise<void> {
  await mkdir(binDir, { recursive: true });
  for (const name of names) {
    const shim = join(binDir, name);
    // `node` from PATH: the repository's Node.js major, which the runtime puts first.
    await writeFile(shim, `#!/bin/sh\nexec node '${entry.replace(/'/g, `'\\''`)}' "$@"\n`);
    await chmod(shim, 0o755);
  }
}
