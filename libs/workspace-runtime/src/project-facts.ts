import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LOCKFILES, type LockfileName, type PackageManagerFacts } from './package-manager';
import type { NodeDeclarations } from './node-requirement';
import { parseWorkspaceConfig, type WorkspaceConfig } from './workspace-config';

/**
 * What a checkout declares about its toolchain, read as data (JSON and
 * YAML parsed here; nothing of the repository is executed in this process).
 */
export interface ProjectFacts {
  packageJson: Record<string, unknown>;
  manager: PackageManagerFacts;
  node: NodeDeclarations;
  /** berry: `nodeLinker` of .yarnrc.yml (`pnp` when absent, Yarn's default). */
  yarnNodeLinker?: string;
}

export class ProjectFactsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectFactsError';
  }
}

async function readText(path: string, limit = 1_000_000): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    return text.length > limit ? text.slice(0, limit) : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export async function readProjectFacts(checkoutDir: string): Promise<ProjectFacts> {
  const packageText = await readText(join(checkoutDir, 'package.json'));
  if (packageText === undefined) throw new ProjectFactsError(`no package.json at the root of ${checkoutDir}`);
  let packageJson: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(packageText);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    packageJson = parsed as Record<string, unknown>;
  } catch (error) {
    throw new ProjectFactsError(`package.json is not a JSON object: ${(error as Error).message}`);
  }
  const lockfiles: LockfileName[] = [];
  for (const name of Object.keys(LOCKFILES) as LockfileName[]) if (await isFile(join(checkoutDir, name))) lockfiles.push(name);

  const yarnrcYmlText = await readText(join(checkoutDir, '.yarnrc.yml'));
  const yarnrc = yarnrcYmlText === undefined ? undefined : safeYaml(yarnrcYmlText, '.yarnrc.yml');
  const pnpmLockHead = lockfiles.includes('pnpm-lock.yaml') ? await readText(join(checkoutDir, 'pnpm-lock.yaml'), 200) : undefined;
  const pnpmLockfileVersion = pnpmLockHead ? /lockfileVersion:\s*['"]?([\d.]+)/.exec(pnpmLockHead)?.[1] : undefined;

  return {
    packageJson,
    manager: {
      lockfiles,
      packageManagerField: packageJson.packageManager,
      yarnLockHead: lockfiles.includes('yarn.lock') ? await readText(join(checkoutDir, 'yarn.lock'), 2000) : undefined,
      hasYarnrcYml: yarnrcYmlText !== undefined,
      yarnPath: typeof yarnrc?.yarnPath === 'string' ? yarnrc.yarnPath : undefined,
      pnpmLockfileVersion,
    },
    node: {
      nvmrc: await readText(join(checkoutDir, '.nvmrc'), 200),
      nodeVersionFile: await readText(join(checkoutDir, '.node-version'), 200),
      volta: packageJson.volta,
      engines: packageJson.engines,
    },
    yarnNodeLinker: typeof yarnrc?.nodeLinker === 'string' ? yarnrc.nodeLinker : undefined,
  };
}

function safeYaml(text: string, file: string): Record<string, unknown> {
  try {
    const parsed: unknown = parseYaml(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch (error) {
    throw new ProjectFactsError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
}

export const WORKSPACE_CONFIG_FILE = 'autocode.yaml';

/** Reads and validates the `install` and `checks` sections of the checkout's autocode.yaml (defaults without one). */
export async function readWorkspaceConfig(checkoutDir: string): Promise<WorkspaceConfig> {
  const text = await readText(join(checkoutDir, WORKSPACE_CONFIG_FILE));
  return parseWorkspaceConfig(text === undefined ? undefined : safeYaml(text, WORKSPACE_CONFIG_FILE));
}
