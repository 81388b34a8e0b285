/**
 * Which package manager a repository uses, from what it declares: its
 * lockfile and the `packageManager` field of package.json. Pure: the
 * facts are read elsewhere (project-facts.ts), so every rule is unit-tested.
 */

export type PackageManagerName = 'npm' | 'pnpm' | 'yarn';
/** Yarn 1 and Yarn 2+ differ in lockfile, flags and layout. */
export type YarnFlavor = 'classic' | 'berry';

export const LOCKFILES = {
  'package-lock.json': 'npm',
  'npm-shrinkwrap.json': 'npm',
  'pnpm-lock.yaml': 'pnpm',
  'yarn.lock': 'yarn',
} as const satisfies Record<string, PackageManagerName>;
export type LockfileName = keyof typeof LOCKFILES;

export interface PackageManagerFacts {
  /** Lockfiles present at the repository root. */
  lockfiles: LockfileName[];
  /** package.json `packageManager`, e.g. `pnpm@9.15.0+sha512.abc…`. */
  packageManagerField?: unknown;
  /** The first bytes of yarn.lock: `# yarn lockfile v1` (classic) or a `__metadata:` block (berry). */
  yarnLockHead?: string;
  hasYarnrcYml: boolean;
  /** `yarnPath` in .yarnrc.yml: a Yarn release committed to the repository (repository code). */
  yarnPath?: string;
  /** `lockfileVersion` of pnpm-lock.yaml. */
  pnpmLockfileVersion?: string;
}

export interface DetectedPackageManager {
  name: PackageManagerName;
  flavor?: YarnFlavor;
  lockfile?: LockfileName;
  /**
   * The version to run: exact from `packageManager`, else a range derived from
   * the lockfile format (`9` for pnpm lockfile 9.0); undefined for npm = the bundled npm.
   */
  versionSpec?: string;
  /** The `+sha512.<hex>` (or sha1/sha224/sha256) integrity of `packageManager`, when given. */
  integrity?: { algorithm: string; hex: string };
  /** Where the decision came from, for logs and reports. */
  source: string;
  warnings: string[];
}

export class PackageManagerConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageManagerConflictError';
  }
}

const PACKAGE_MANAGER_FIELD = /^(npm|pnpm|yarn)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?:\+(sha1|sha224|sha256|sha512)\.([0-9a-f]+))?$/;

export function parsePackageManagerField(value: unknown): { name: PackageManagerName; version: string; integrity?: { algorithm: string; hex: string } } {
  if (typeof value !== 'string') throw new PackageManagerConflictError(`package.json "packageManager" must be a string like "pnpm@9.15.0", got ${JSON.stringify(value)}`);
  const match = PACKAGE_MANAGER_FIELD.exec(value.trim());
  if (!match) throw new PackageManagerConflictError(`package.json "packageManager" is "${value}": expected <npm|pnpm|yarn>@<exact version>[+sha512.<hex>]`);
  const [, name, version, algorithm, hex] = match;
  return { name: name as PackageManagerName, version, ...(algorithm ? { integrity: { algorithm, hex } } : {}) };
}

export function yarnFlavorOfLockfile(head: string): YarnFlavor {
  return /^__metadata:/m.test(head) ? 'berry' : 'classic';
}

/** The pnpm major that writes a lockfile format (pnpm 9 and 10 both write 9.0). */
export function pnpmMajorForLockfile(version: string | undefined): string | undefined {
  if (!version) return undefined;
  const major = Number.parseFloat(String(version));
  if (major >= 9) return '9';
  if (major >= 6) return '8';
  if (major >= 5.4) return '7';
  if (major >= 5.3) return '6';
  return undefined;
}

/** The Yarn major whose lockfile carries this `__metadata.version`. */
export function berryMajorForLockfile(head: string): string {
  const version = Number(/__metadata:\s*\n\s*version:\s*(\d+)/.exec(head)?.[1]);
  if (version >= 8) return '4';
  if (version >= 6) return '3';
  return '2';
}

export function detectPackageManager(facts: PackageManagerFacts): DetectedPackageManager {
  const warnings: string[] = [];
  const declared = facts.packageManagerField === undefined ? undefined : parsePackageManagerField(facts.packageManagerField);
  const byManager = new Map<PackageManagerName, LockfileName[]>();
  for (const lockfile of facts.lockfiles) byManager.set(LOCKFILES[lockfile], [...(byManager.get(LOCKFILES[lockfile]) ?? []), lockfile]);

  let name: PackageManagerName;
  let source: string;
  if (declared) {
    name = declared.name;
    source = `packageManager ${declared.name}@${declared.version}`;
    const own = byManager.get(name);
    const others = [...byManager.entries()].filter(([manager]) => manager !== name).flatMap(([, files]) => files);
    if (!own && others.length > 0) {
      throw new PackageManagerConflictError(`package.json says "packageManager": "${String(facts.packageManagerField)}" but the lockfile is ${others.join(', ')} (a ${LOCKFILES[others[0]]} lockfile); remove one of the two signals`);
    }
    if (own && others.length > 0) warnings.push(`ignoring ${others.join(', ')}: packageManager names ${name}`);
  } else if (byManager.size > 1) {
    throw new PackageManagerConflictError(`several lockfiles of different managers: ${facts.lockfiles.join(', ')}; set "packageManager" in package.json or remove the stale ones`);
  } else if (byManager.size === 1) {
    name = [...byManager.keys()][0];
    source = `lockfile ${byManager.get(name)![0]}`;
  } else {
    name = facts.hasYarnrcYml ? 'yarn' : 'npm';
    source = facts.hasYarnrcYml ? '.yarnrc.yml (no lockfile)' : 'no lockfile, no packageManager: npm';
  }

  const lockfiles = byManager.get(name) ?? [];
  // npm prefers npm-shrinkwrap.json when both exist; so do we.
  const lockfile = lockfiles.includes('npm-shrinkwrap.json') ? 'npm-shrinkwrap.json' : lockfiles[0];

  if (name === 'yarn') {
    const lockFlavor = facts.yarnLockHead !== undefined ? yarnFlavorOfLockfile(facts.yarnLockHead) : undefined;
    const declaredFlavor = declared ? (Number(declared.version.split('.')[0]) >= 2 ? 'berry' : 'classic') : undefined;
    if (lockFlavor && declaredFlavor && lockFlavor !== declaredFlavor) {
      throw new PackageManagerConflictError(
        `yarn.lock is a ${lockFlavor === 'classic' ? 'Yarn 1 (classic v1)' : 'Yarn 2+ (berry)'} lockfile but "packageManager" says yarn@${declared!.version}; run that Yarn once to migrate the lockfile or fix packageManager`,
      );
    }
    const flavor: YarnFlavor = declaredFlavor ?? lockFlavor ?? (facts.hasYarnrcYml ? 'berry' : 'classic');
    const versionSpec = declared?.version ?? (flavor === 'classic' ? '1' : berryMajorForLockfile(facts.yarnLockHead ?? ''));
    return { name, flavor, lockfile, versionSpec, integrity: declared?.integrity, source, warnings };
  }
  if (name === 'pnpm') {
    const versionSpec = declared?.version ?? pnpmMajorForLockfile(facts.pnpmLockfileVersion) ?? '9';
    return { name, lockfile, versionSpec, integrity: declared?.integrity, source, warnings };
  }
  return { name, lockfile, versionSpec: declared?.version, integrity: declared?.integrity, source, warnings };
}
