import semver from 'semver';

/** One advisory in OSV form (https://ossf.github.io/osv-schema/), the format of OSV and of the GitHub advisory database. */
export interface OsvAdvisory {
  id: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  database_specific?: { severity?: string };
  affected?: Array<{
    package?: { ecosystem?: string; name?: string };
    ranges?: Array<{ type?: string; events?: Array<{ introduced?: string; fixed?: string; last_affected?: string; limit?: string }> }>;
    versions?: string[];
  }>;
}

/** A dependency as installed (lockfile) or, without a lockfile, the lowest version its declared range allows. */
export interface InstalledDependency {
  name: string;
  version: string;
  /** The manifest that brings it in (`package.json`, `packages/a/package.json`). */
  manifest: string;
  lockfile?: string;
  direct: boolean;
}

export interface VulnerableDependency {
  dependency: InstalledDependency;
  advisories: Array<{ id: string; aliases: string[]; summary: string; severity?: string; fixedIn?: string }>;
}

/** An advisory file: a list of advisories, `{ vulns: [...] }` (OSV query answers), or one advisory. */
export function parseAdvisories(text: string): OsvAdvisory[] {
  const json = JSON.parse(text) as unknown;
  const list = Array.isArray(json) ? json : json && typeof json === 'object' && Array.isArray((json as { vulns?: unknown }).vulns) ? (json as { vulns: unknown[] }).vulns : [json];
  const advisories = list.filter((a): a is OsvAdvisory => Boolean(a && typeof a === 'object' && typeof (a as OsvAdvisory).id === 'string'));
  if (advisories.length === 0 && list.length > 0) throw new Error('no OSV advisories (objects with an "id") in the file');
  return advisories;
}

function inRange(version: string, events: Array<{ introduced?: string; fixed?: string; last_affected?: string; limit?: string }>): { affected: boolean; fixedIn?: string } {
  // OSV: events in order; a version is affected between an `introduced` and the next `fixed`/`last_affected` (inclusive for the latter).
  let affected = false;
  let fixedIn: string | undefined;
  const sorted = [...events];
  for (const event of sorted) {
    if (event.introduced !== undefined) {
      const introduced = event.introduced === '0' ? '0.0.0' : event.introduced;
      if (semver.valid(introduced) && semver.gte(version, introduced)) affected = true;
    } else if (event.fixed !== undefined && semver.valid(event.fixed)) {
      if (semver.gte(version, event.fixed)) affected = false;
      else if (affected) fixedIn = event.fixed;
    } else if (event.last_affected !== undefined && semver.valid(event.last_affected)) {
      if (semver.gt(version, event.last_affected)) affected = false;
    }
  }
  return { affected, fixedIn: affected ? fixedIn : undefined };
}

/** Which dependencies a list of advisories affects (npm ecosystem only). */
export function matchAdvisories(dependencies: InstalledDependency[], advisories: OsvAdvisory[]): VulnerableDependency[] {
  const byPackage = new Map<string, Array<{ advisory: OsvAdvisory; affected: NonNullable<OsvAdvisory['affected']>[number] }>>();
  for (const advisory of advisories) {
    for (const affected of advisory.affected ?? []) {
      if (affected.package?.ecosystem?.toLowerCase() !== 'npm' || !affected.package.name) continue;
      const list = byPackage.get(affected.package.name) ?? [];
      list.push({ advisory, affected });
      byPackage.set(affected.package.name, list);
    }
  }
  const found: VulnerableDependency[] = [];
  for (const dependency of dependencies) {
    if (!semver.valid(dependency.version)) continue;
    const hits: VulnerableDependency['advisories'] = [];
    for (const { advisory, affected } of byPackage.get(dependency.name) ?? []) {
      let match = (affected.versions ?? []).includes(dependency.version);
      let fixedIn: string | undefined;
      for (const range of affected.ranges ?? []) {
        if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
        const result = inRange(dependency.version, range.events ?? []);
        if (result.affected) {
          match = true;
          fixedIn = result.fixedIn ?? fixedIn;
        }
      }
      if (match && !hits.some((h) => h.id === advisory.id)) {
        hits.push({ id: advisory.id, aliases: advisory.aliases ?? [], summary: advisory.summary ?? advisory.details?.slice(0, 200) ?? '', severity: advisory.database_specific?.severity, fixedIn });
      }
    }
    if (hits.length) found.push({ dependency, advisories: hits.sort((a, b) => a.id.localeCompare(b.id)) });
  }
  return found;
}

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface PackageLock {
  lockfileVersion?: number;
  packages?: Record<string, { version?: string; dev?: boolean; link?: boolean }>;
  dependencies?: Record<string, { version?: string; dependencies?: PackageLock['dependencies'] }>;
}

/**
 * What a manifest brings in: every package of its `package-lock.json`
 * (direct and transitive, exact versions) when there is one, else the
 * lowest version each declared range allows.
 */
export function dependenciesOf(manifestPath: string, manifestText: string, lock?: { path: string; text: string }): InstalledDependency[] {
  const manifest = JSON.parse(manifestText) as PackageJson;
  const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.optionalDependencies }));
  if (lock) {
    const parsed = JSON.parse(lock.text) as PackageLock;
    const found = new Map<string, InstalledDependency>();
    const add = (name: string, version: string | undefined) => {
      if (!version || !semver.valid(version)) return;
      const key = `${name}@${version}`;
      if (!found.has(key)) found.set(key, { name, version, manifest: manifestPath, lockfile: lock.path, direct: declared.has(name) });
    };
    if (parsed.packages) {
      for (const [path, entry] of Object.entries(parsed.packages)) {
        const at = path.lastIndexOf('node_modules/');
        if (at === -1 || entry.link) continue;
        add(path.slice(at + 'node_modules/'.length), entry.version);
      }
    } else if (parsed.dependencies) {
      const walk = (deps: PackageLock['dependencies']) => {
        for (const [name, entry] of Object.entries(deps ?? {})) {
          add(name, entry.version);
          walk(entry.dependencies);
        }
      };
      walk(parsed.dependencies);
    }
    return [...found.values()];
  }
  const result: InstalledDependency[] = [];
  for (const [name, range] of Object.entries({ ...manifest.optionalDependencies, ...manifest.devDependencies, ...manifest.dependencies })) {
    const lowest = semver.validRange(range) ? semver.minVersion(range) : null;
    if (lowest) result.push({ name, version: lowest.version, manifest: manifestPath, direct: true });
  }
  return result;
}
