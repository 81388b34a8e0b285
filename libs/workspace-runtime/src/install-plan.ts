import type { PackageManagerName, YarnFlavor } from './package-manager';

/**
 * The commands that install a repository's dependencies: frozen to its
 * lockfile, lifecycle scripts off, downloads cached under the shared cache.
 * Pure, so the flags are unit-tested; the runtime runs them in the sandbox.
 */

export interface InstallPlanInput {
  manager: PackageManagerName;
  flavor?: YarnFlavor;
  /** The manager's JavaScript entry; commands are `node <entry> …`. */
  entry: string;
  /** The bundled npm's entry, for `npm rebuild` on a Yarn 1 tree. */
  npmEntry: string;
  /** Download caches, per manager, inside the shared cache. */
  caches: { npm: string; pnpmStore: string; yarnClassic: string; yarnBerryGlobal: string };
  /** Packages whose install scripts may run. */
  allowScripts: string[];
}

export interface PlannedCommand {
  /** Arguments after `node`. */
  args: string[];
  env: Record<string, string>;
  /** What a person would type, for reports. */
  display: string;
  /**
   * Whether the step may use the network. Only the manager's own download
   * step does: in the sandbox the network is the host's, so repository code
   * (an allowlisted install script) never runs with it.
   */
  network: boolean;
}

export interface InstallPlan {
  install: PlannedCommand;
  /** Runs the allowlisted packages' install scripts after the scripts-free install; undefined when none are allowed. */
  rebuild?: PlannedCommand;
  /** Writable directories the install needs besides the project. */
  writable: string[];
}

/** Yarn 2+ reads its settings from YARN_* variables before .yarnrc.yml; these keep it quiet, offline-friendly and scripts-free. */
export function berryEnv(globalFolder: string): Record<string, string> {
  return { YARN_GLOBAL_FOLDER: globalFolder, YARN_ENABLE_TELEMETRY: '0', YARN_ENABLE_GLOBAL_CACHE: 'true', YARN_ENABLE_PROGRESS_BARS: '0', YARN_ENABLE_INLINE_BUILDS: '0' };
}

export function installPlan(input: InstallPlanInput): InstallPlan {
  const { manager, flavor, entry, npmEntry, caches, allowScripts } = input;
  const allowed = [...new Set(allowScripts)].sort();
  if (manager === 'npm') {
    return {
      install: { args: [entry, 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--cache', caches.npm], env: {}, display: 'npm ci --ignore-scripts', network: true },
      rebuild: allowed.length
        ? { args: [entry, 'rebuild', '--ignore-scripts=false', '--foreground-scripts', '--cache', caches.npm, ...allowed], env: {}, display: `npm rebuild ${allowed.join(' ')}`, network: false }
        : undefined,
      writable: [caches.npm],
    };
  }
  if (manager === 'pnpm') {
    const common = ['--store-dir', caches.pnpmStore, '--config.confirm-modules-purge=false', '--reporter=append-only'];
    return {
      // --ignore-pnpmfile: a .pnpmfile.cjs is repository code, and this step has the network.
      install: {
        args: [entry, 'install', '--frozen-lockfile', '--ignore-scripts', '--ignore-pnpmfile', '--prefer-offline', ...common],
        env: {},
        display: 'pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile',
        network: true,
      },
      rebuild: allowed.length ? { args: [entry, 'rebuild', '--offline', ...common, ...allowed], env: {}, display: `pnpm rebuild ${allowed.join(' ')}`, network: false } : undefined,
      writable: [caches.pnpmStore],
    };
  }
  if (flavor === 'classic') {
    return {
      install: {
        // --ignore-engines: Yarn 1 alone fails on a dependency's `engines` (npm and pnpm warn); the repository's own declaration picked the Node.js major.
        args: [entry, 'install', '--frozen-lockfile', '--ignore-scripts', '--ignore-engines', '--non-interactive', '--prefer-offline', '--no-progress', '--network-timeout', '120000', '--cache-folder', caches.yarnClassic],
        env: {},
        display: 'yarn install --frozen-lockfile --ignore-scripts',
        network: true,
      },
      // Yarn 1 has no rebuild; npm's runs the scripts of packages in a flat node_modules.
      rebuild: allowed.length
        ? { args: [npmEntry, 'rebuild', '--ignore-scripts=false', '--foreground-scripts', '--cache', caches.npm, ...allowed], env: {}, display: `npm rebuild ${allowed.join(' ')}`, network: false }
        : undefined,
      writable: [caches.yarnClassic, caches.npm],
    };
  }
  const env = berryEnv(caches.yarnBerryGlobal);
  return {
    install: { args: [entry, 'install', '--immutable', '--mode=skip-build'], env, display: 'yarn install --immutable --mode=skip-build', network: true },
    rebuild: allowed.length ? { args: [entry, 'rebuild', ...allowed], env, display: `yarn rebuild ${allowed.join(' ')}`, network: false } : undefined,
    writable: [caches.yarnBerryGlobal],
  };
}

/** The command that runs one package.json script, as `node <entry> …` args. */
export function runScriptArgs(entry: string, script: string): string[] {
  // npm, pnpm and both Yarns accept `run <name>` (discovery never picks a name that starts with "-").
  return [entry, 'run', script];
}
