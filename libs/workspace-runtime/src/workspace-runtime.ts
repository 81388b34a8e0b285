import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DEFAULT_PATH, type Sandbox, type SandboxRunResult } from '@autocode/sandbox';
import { ensureCacheEntry, type CacheEntryOptions } from './cache-entry';
import { discoverChecks, type CheckDiscovery, type DiscoveredCheck } from './check-discovery';
import { findNodeModulesDirs, linkTree, stageProject, treeKey, type LinkMode } from './dependency-tree';
import { classifyInstallFailure, outputExcerpt, PrepareFailureError, type PrepareFailure } from './install-failure';
import { berryEnv, installPlan, runScriptArgs, type InstallPlan, type PlannedCommand } from './install-plan';
import { nodeRequirement, UnsupportedNodeRequirementError } from './node-requirement';
import { detectPackageManager, PackageManagerConflictError, type PackageManagerName, type YarnFlavor } from './package-manager';
import { ProjectFactsError, readProjectFacts, readWorkspaceConfig } from './project-facts';
import { ToolchainCache } from './toolchain-cache';
import { WorkspaceConfigError, type WorkspaceConfig } from './workspace-config';

export interface WorkspaceRuntimeOptions {
  /** Shared cache of managers, Node.js majors, downloads and trees. Default: WORKSPACE_CACHE_DIR or ~/.cache/autocode/workspace. */
  cacheDir?: string;
  /** Where dependency trees live; default `<cacheDir>/trees` (tests give their own to start cold). */
  treeCacheDir?: string;
  /** Limit of one install step (manager, Node.js, dependencies). */
  installTimeoutMs?: number;
  installMemoryMb?: number;
  /** `symlink` (default, instant, the tree mounted read-only) or `copy` (cp -a --reflink=auto, for tools that reject linked node_modules). */
  linkMode?: LinkMode;
  /**
   * A CA bundle the registry steps trust besides Node.js's own (hosts behind
   * a TLS-inspecting proxy); default: the service's NODE_EXTRA_CA_CERTS. A
   * public certificate file, not a secret.
   */
  extraCaCerts?: string;
  /** Node.js major for repositories that declare none; default WORKSPACE_DEFAULT_NODE_MAJOR, else the running Node.js. */
  defaultNodeMajor?: number;
}

export interface PrepareOptions {
  /** The repository's autocode.yaml, already parsed and validated; read from the checkout when absent. */
  config?: WorkspaceConfig;
  /** Overrides the runtime's link mode for this checkout. */
  linkMode?: LinkMode;
  signal?: AbortSignal;
}

export interface PreparedWorkspace {
  ok: true;
  checkoutDir: string;
  manager: PackageManagerName;
  managerFlavor?: YarnFlavor;
  managerVersion: string;
  /** The manager's JavaScript entry (`node <entry> run <script>`). */
  managerEntry: string;
  nodeBinary: string;
  nodeMajor: number;
  nodeVersion: string;
  /** Where the Node.js requirement came from (`.nvmrc "22"`, `none` …). */
  nodeSource: string;
  /** `cold`: this call installed the tree; `warm`: a cached tree was linked, nothing installed. */
  installed: 'cold' | 'warm';
  durationMs: number;
  /** Variables for running the repository's scripts in the sandbox (PATH with its Node.js and manager first). */
  env: Record<string, string>;
  /** Paths the sandbox must mount read-only for those scripts (the tree, Node.js, the manager). */
  readOnlyPaths: string[];
  treeKey: string;
  lockfile: string;
  lockfileSha256: string;
  config: WorkspaceConfig;
  /** Dependencies with install scripts that did not run (npm lockfiles say which), for "add it to install.allowScripts". */
  skippedInstallScripts: string[];
  /**
   * Paths (relative to the checkout) this prepare created: the linked
   * node_modules directories, Yarn's install state and Plug'n'Play files.
   * Not the repository's: leave them out of a patch's diff when the
   * repository's .gitignore does not.
   */
  createdPaths: string[];
  warnings: string[];
}

export interface PrepareFailed {
  ok: false;
  checkoutDir: string;
  failure: PrepareFailure;
  manager?: PackageManagerName;
  managerVersion?: string;
  nodeMajor?: number;
  durationMs: number;
  warnings: string[];
}

export type PrepareResult = PreparedWorkspace | PrepareFailed;

export type CheckStatus = 'passed' | 'failed' | 'cannot-run';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  /** For `cannot-run`: why (time limit, command not found …). */
  reason?: string;
  exitCode: number | null;
  durationMs: number;
  excerpt: string;
}

export interface RunCheckOptions {
  timeoutMs: number;
  memoryMb?: number;
  signal?: AbortSignal;
}

interface TreeRecord {
  manager: string;
  managerVersion: string;
  nodeMajor: number;
  nodeModulesDirs: string[];
  /** Files of a Yarn 2+ install the checkout needs besides node_modules. */
  yarnStateFiles: string[];
  skippedInstallScripts: string[];
  droppedRcKeys: string[];
}

type InstallStep = (cwd: string, command: PlannedCommand) => Promise<SandboxRunResult>;

interface InstallOutcome {
  record: TreeRecord;
  installed: 'cold' | 'warm';
  treeDir: string;
  createdPaths: string[];
}

const TREE_RECORD = 'tree.json';
/** Files Yarn 2+ reads at `yarn run` time; the node-modules linker needs install-state.gz. */
const BERRY_STATE_FILES = ['.yarn/install-state.gz'];
/** What a Plug'n'Play install writes into the checkout. */
const PNP_FILES = ['.pnp.cjs', '.pnp.data.json', '.pnp.loader.mjs', '.yarn/install-state.gz', '.yarn/unplugged', 'node_modules'];
/** Output of a check that means the environment, not the code, is at fault. */
const CANNOT_RUN_OUTPUT = /: not found$|command not found|Missing script|ERR_PNPM_NO_SCRIPT|Command ".*" not found|Couldn't find a script named|ENOSPC/im;
const READ_ONLY_OUTPUT = /EROFS|read-only file system/i;
const SCRIPT_NEEDED_OUTPUT =
  /Could not locate the bindings file|was compiled against a different Node\.js version|You installed esbuild for another platform|The package "@esbuild\/[^"]+" could not be found|Could not load the "sharp" module|Cannot find module '[^']*\.node'|prebuilt binaries|postinstall script/i;

function defaultNodeMajorFromEnv(): number | undefined {
  const value = process.env.WORKSPACE_DEFAULT_NODE_MAJOR;
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,2}$/.test(value)) throw new Error(`WORKSPACE_DEFAULT_NODE_MAJOR must be a Node.js major such as 24, got "${value}"`);
  return Number(value);
}

export function defaultCacheDir(): string {
  return process.env.WORKSPACE_CACHE_DIR || join(homedir(), '.cache', 'autocode', 'workspace');
}

/**
 * Prepares a target repository's checkout so its own tools and checks run:
 * its package manager and Node.js major, its dependencies from its lockfile
 * (no lifecycle scripts unless autocode.yaml allows them), all of it in the
 * sandbox, from a shared cache so a warm prepare installs nothing; and runs
 * its checks. One place for planner, generation node and validator.
 */
export class WorkspaceRuntime {
  private readonly logger = new Logger(WorkspaceRuntime.name);
  private readonly cacheDir: string;
  private readonly treeCacheDir: string;
  private readonly installTimeoutMs: number;
  private readonly installMemoryMb: number;
  private readonly linkMode: LinkMode;
  private readonly defaultNodeMajor: number | undefined;
  private readonly lock: CacheEntryOptions;
  /** Variables and mounts of the steps that reach the registry. */
  private readonly networkEnv: Record<string, string>;
  private readonly networkMounts: string[];
  readonly toolchains: ToolchainCache;

  constructor(
    private readonly sandbox: Sandbox,
    options: WorkspaceRuntimeOptions = {},
  ) {
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
    this.treeCacheDir = options.treeCacheDir ?? join(this.cacheDir, 'trees');
    this.installTimeoutMs = options.installTimeoutMs ?? 10 * 60_000;
    this.installMemoryMb = options.installMemoryMb ?? 3072;
    this.linkMode = options.linkMode ?? 'symlink';
    this.defaultNodeMajor = options.defaultNodeMajor ?? defaultNodeMajorFromEnv();
    // A lock older than two install limits belongs to a hung process.
    this.lock = { staleAfterMs: 2 * this.installTimeoutMs + 60_000, waitMs: 2 * this.installTimeoutMs + 60_000 };
    const extraCaCerts = options.extraCaCerts ?? process.env.NODE_EXTRA_CA_CERTS;
    this.networkEnv = extraCaCerts ? { NODE_EXTRA_CA_CERTS: extraCaCerts } : {};
    this.networkMounts = extraCaCerts ? [extraCaCerts] : [];
    this.toolchains = new ToolchainCache(sandbox, {
      cacheDir: this.cacheDir,
      installTimeoutMs: this.installTimeoutMs,
      lock: this.lock,
      networkEnv: this.networkEnv,
      networkMounts: this.networkMounts,
    });
  }

  async prepare(checkoutDir: string, options: PrepareOptions = {}): Promise<PrepareResult> {
    const started = performance.now();
    const warnings: string[] = [];
    const known: Partial<Pick<PrepareFailed, 'manager' | 'managerVersion' | 'nodeMajor'>> = {};
    try {
      const config = options.config ?? (await readWorkspaceConfig(checkoutDir));
      const facts = await readProjectFacts(checkoutDir);
      const detected = detectPackageManager(facts.manager);
      known.manager = detected.name;
      warnings.push(...detected.warnings);
      if (!detected.lockfile) {
        throw new PrepareFailureError({ kind: 'lockfile-missing', message: `no lockfile (package-lock.json, pnpm-lock.yaml or yarn.lock) to install ${detected.name} dependencies from` });
      }
      const requirement = nodeRequirement(facts.node, process.version, this.defaultNodeMajor);
      const node = await this.toolchains.node(requirement);
      known.nodeMajor = node.major;
      const manager = await this.toolchains.manager(detected);
      known.managerVersion = manager.version;
      warnings.push(...manager.warnings);
      const bundledNpm = manager.name === 'npm' ? manager : await this.toolchains.bundledNpm();
      const pnp = manager.flavor === 'berry' && (facts.yarnNodeLinker ?? 'pnp') === 'pnp';
      const mounts = unique([...node.mounts, ...manager.mounts, ...bundledNpm.mounts]);
      const path = unique([...(node.binDir ? [node.binDir] : []), manager.binDir, bundledNpm.binDir, ...DEFAULT_PATH.split(delimiter)]).join(delimiter);
      const caches = {
        npm: this.toolchains.npmCacheDir,
        pnpmStore: join(this.cacheDir, 'pnpm-store'),
        yarnClassic: join(this.cacheDir, 'yarn-classic-cache'),
        yarnBerryGlobal: join(this.cacheDir, 'yarn-berry'),
      };
      const plan = installPlan({ manager: manager.name, flavor: manager.flavor, entry: manager.entry, npmEntry: bundledNpm.entry, caches, allowScripts: config.install.allowScripts });
      const { key, lockfileSha256 } = await treeKey(checkoutDir, {
        lockfile: detected.lockfile,
        manager: `${manager.name}${manager.flavor ? `-${manager.flavor}` : ''}`,
        managerVersion: manager.version,
        nodeMajor: node.major,
        allowScripts: config.install.allowScripts,
      });
      const runEnv = { PATH: path, ...(manager.flavor === 'berry' ? berryEnv(caches.yarnBerryGlobal) : {}) };
      const runInstallStep = async (cwd: string, step: PlannedCommand) => {
        await Promise.all(plan.writable.map((dir) => mkdir(dir, { recursive: true })));
        const result = await this.sandbox.run({
          command: node.binary,
          args: step.args,
          cwd,
          env: { ...runEnv, ...this.networkEnv, ...step.env },
          timeoutMs: this.installTimeoutMs,
          memoryMb: this.installMemoryMb,
          writablePaths: plan.writable,
          readOnlyPaths: [...mounts, ...this.networkMounts],
          network: step.network,
          signal: options.signal,
        });
        if (result.reason !== 'exited' || result.exitCode !== 0) throw new PrepareFailureError(classifyInstallFailure(result, step.display));
        return result;
      };

      const { record, installed, treeDir, createdPaths } = pnp
        ? await this.installInPlace(checkoutDir, key, plan, runInstallStep, emptyRecord(manager.name, manager.version, node.major))
        : await this.installTree(checkoutDir, key, plan, runInstallStep, {
            base: emptyRecord(manager.name, manager.version, node.major),
            berry: manager.flavor === 'berry',
            lockfile: detected.lockfile,
            allowScripts: config.install.allowScripts,
            linkMode: options.linkMode ?? this.linkMode,
            warnings,
          });
      if (record.droppedRcKeys.length) warnings.push(`repository rc settings not honoured: ${record.droppedRcKeys.join(', ')}`);
      const durationMs = Math.round(performance.now() - started);
      this.logger.log({ msg: 'workspace prepared', checkoutDir, manager: manager.name, managerVersion: manager.version, nodeMajor: node.major, installed, durationMs, treeKey: key });
      return {
        ok: true,
        checkoutDir,
        manager: manager.name,
        managerFlavor: manager.flavor,
        managerVersion: manager.version,
        managerEntry: manager.entry,
        nodeBinary: node.binary,
        nodeMajor: node.major,
        nodeVersion: node.version,
        nodeSource: requirement.source,
        installed,
        durationMs,
        env: runEnv,
        readOnlyPaths: unique([treeDir, ...mounts, ...(manager.flavor === 'berry' ? [caches.yarnBerryGlobal] : [])]),
        treeKey: key,
        lockfile: detected.lockfile,
        lockfileSha256,
        config,
        skippedInstallScripts: record.skippedInstallScripts,
        createdPaths,
        warnings,
      };
    } catch (error) {
      const failure = asFailure(error);
      if (!failure) throw error;
      this.logger.warn({ msg: 'workspace cannot be prepared', checkoutDir, kind: failure.kind, reason: failure.message });
      return { ok: false, checkoutDir, failure, ...known, durationMs: Math.round(performance.now() - started), warnings };
    }
  }

  /**
   * Plug'n'Play maps packages to the zip cache by paths relative to the
   * project, so it cannot be linked from elsewhere: the checkout is
   * installed itself, from the shared zip cache (network only the first
   * time per key).
   */
  private async installInPlace(checkoutDir: string, key: string, plan: InstallPlan, step: InstallStep, base: TreeRecord): Promise<InstallOutcome> {
    const entry = await ensureCacheEntry(
      join(this.treeCacheDir, key),
      async (dir) => {
        await step(checkoutDir, plan.install);
        await writeFile(join(dir, TREE_RECORD), JSON.stringify(base));
      },
      this.lock,
    );
    if (!entry.built) await step(checkoutDir, { ...plan.install, env: { ...plan.install.env, YARN_ENABLE_NETWORK: '0' } });
    if (plan.rebuild) await step(checkoutDir, plan.rebuild);
    return { record: await readRecord(entry.dir), installed: entry.built ? 'cold' : 'warm', treeDir: entry.dir, createdPaths: [...PNP_FILES] };
  }

  /** The shared tree for `key` (installed in a copy of the checkout the first time), linked into the checkout. */
  private async installTree(
    checkoutDir: string,
    key: string,
    plan: InstallPlan,
    step: InstallStep,
    context: { base: TreeRecord; berry: boolean; lockfile: string; allowScripts: string[]; linkMode: LinkMode; warnings: string[] },
  ): Promise<InstallOutcome> {
    const entry = await ensureCacheEntry(
      join(this.treeCacheDir, key),
      async (dir) => {
        const project = join(dir, 'project');
        const { droppedRcKeys } = await stageProject(checkoutDir, project);
        const install = await step(project, plan.install);
        if (plan.rebuild) await step(project, plan.rebuild);
        const built: TreeRecord = {
          ...context.base,
          nodeModulesDirs: await findNodeModulesDirs(project),
          yarnStateFiles: context.berry ? BERRY_STATE_FILES : [],
          skippedInstallScripts: await skippedInstallScripts(project, context.lockfile, install, context.allowScripts),
          droppedRcKeys,
        };
        await writeFile(join(dir, TREE_RECORD), JSON.stringify(built, null, 2));
      },
      this.lock,
    );
    const record = await readRecord(entry.dir);
    const project = join(entry.dir, 'project');
    const link = await linkTree(project, checkoutDir, record.nodeModulesDirs, context.linkMode);
    if (link.skipped.length) context.warnings.push(`not linked (not in this checkout): ${link.skipped.join(', ')}`);
    for (const file of record.yarnStateFiles) {
      await mkdir(join(checkoutDir, file, '..'), { recursive: true });
      await cp(join(project, file), join(checkoutDir, file)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error; // an install that wrote no state file: nothing to copy
      });
    }
    return { record, installed: entry.built ? 'cold' : 'warm', treeDir: entry.dir, createdPaths: [...link.linked, ...record.yarnStateFiles] };
  }

  /** The checks of a prepared checkout, from its package.json and its autocode.yaml. */
  async discoverChecks(prepared: PreparedWorkspace): Promise<CheckDiscovery> {
    const packageJson = JSON.parse(await readFile(join(prepared.checkoutDir, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    return discoverChecks(packageJson.scripts, prepared.manager, prepared.managerFlavor, prepared.config.checks);
  }

  /** Runs one check in the sandbox, without network. */
  async runCheck(prepared: PreparedWorkspace, check: Pick<DiscoveredCheck, 'name'>, options: RunCheckOptions): Promise<CheckResult> {
    const result = await this.sandbox.run({
      command: prepared.nodeBinary,
      args: runScriptArgs(prepared.managerEntry, check.name),
      cwd: prepared.checkoutDir,
      env: prepared.env,
      timeoutMs: options.timeoutMs,
      memoryMb: options.memoryMb ?? 2048,
      readOnlyPaths: prepared.readOnlyPaths,
      network: false,
      signal: options.signal,
    });
    return checkResult(check.name, result);
  }
}

export function checkResult(name: string, result: SandboxRunResult): CheckResult {
  const excerpt = outputExcerpt(result);
  const base = { check: name, exitCode: result.exitCode, durationMs: Math.round(result.durationMs), excerpt };
  if (result.reason !== 'exited') return { ...base, status: 'cannot-run', reason: result.summary };
  if (result.exitCode === 0) return { ...base, status: 'passed' };
  const text = `${result.stdout}\n${result.stderr}`;
  if (result.exitCode === 127 || CANNOT_RUN_OUTPUT.test(text)) return { ...base, status: 'cannot-run', reason: 'a command the script needs is not there' };
  // The sandbox refused a write outside the checkout (flow's /tmp/flow, a test writing into node_modules): the environment, not the code.
  if (READ_ONLY_OUTPUT.test(text)) return { ...base, status: 'cannot-run', reason: 'the check writes outside the checkout, which is read-only in the sandbox' };
  if (SCRIPT_NEEDED_OUTPUT.test(text)) return { ...base, status: 'cannot-run', reason: 'a dependency needs its install script: add it to install.allowScripts in autocode.yaml' };
  return { ...base, status: 'failed' };
}

function asFailure(error: unknown): PrepareFailure | undefined {
  if (error instanceof PrepareFailureError) return error.failure;
  if (error instanceof PackageManagerConflictError) return { kind: 'manager-conflict', message: error.message };
  if (error instanceof UnsupportedNodeRequirementError) return { kind: 'node-unsupported', message: error.message };
  if (error instanceof WorkspaceConfigError || error instanceof ProjectFactsError) return { kind: 'config-invalid', message: error.message };
  return undefined;
}

function emptyRecord(manager: string, managerVersion: string, nodeMajor: number): TreeRecord {
  return { manager, managerVersion, nodeMajor, nodeModulesDirs: [], yarnStateFiles: [], skippedInstallScripts: [], droppedRcKeys: [] };
}

async function readRecord(dir: string): Promise<TreeRecord> {
  return JSON.parse(await readFile(join(dir, TREE_RECORD), 'utf8')) as TreeRecord;
}

/** Dependencies whose install scripts did not run: npm lockfiles mark them (`hasInstallScript`), pnpm 10 lists them. */
async function skippedInstallScripts(project: string, lockfile: string, install: SandboxRunResult, allowed: string[]): Promise<string[]> {
  const names = new Set<string>();
  if (lockfile === 'package-lock.json' || lockfile === 'npm-shrinkwrap.json') {
    const lock = JSON.parse(await readFile(join(project, lockfile), 'utf8')) as { packages?: Record<string, { hasInstallScript?: boolean; name?: string }> };
    for (const [path, meta] of Object.entries(lock.packages ?? {})) {
      if (!meta.hasInstallScript || !path) continue;
      const at = path.lastIndexOf('node_modules/');
      names.add(meta.name ?? (at < 0 ? path : path.slice(at + 'node_modules/'.length)));
    }
  }
  const ignored = /Ignored build scripts:\s*([^\n.]+)/.exec(install.stdout)?.[1];
  for (const name of ignored?.split(',') ?? []) if (name.trim()) names.add(name.trim());
  return [...names].filter((name) => !allowed.includes(name)).sort();
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
