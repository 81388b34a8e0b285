import semver from 'semver';

/**
 * Which Node.js major a repository runs under, from what it declares
 * (first found wins): `.nvmrc`, `.node-version`, `volta.node`, `engines.node`.
 * Pragmatic on purpose: a declaration the running Node.js satisfies keeps
 * it (no download); only the major matters (the newest release of that
 * major is fetched, not the exact patch an `.nvmrc` may name).
 */

export interface NodeDeclarations {
  nvmrc?: string;
  nodeVersionFile?: string;
  volta?: unknown;
  engines?: unknown;
}

export interface NodeRequirement {
  major: number;
  /** Whether the running Node.js serves (same major, or a range it satisfies). */
  useRunning: boolean;
  /** Where the requirement came from, e.g. `.nvmrc "22"`; `none` when nothing is declared. */
  source: string;
}

export class UnsupportedNodeRequirementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedNodeRequirementError';
  }
}

/** nvm's LTS code names. */
const LTS_CODENAMES: Record<string, number> = {
  argon: 4,
  boron: 6,
  carbon: 8,
  dubnium: 10,
  erbium: 12,
  fermium: 14,
  gallium: 16,
  hydrogen: 18,
  iron: 20,
  jod: 22,
  krypton: 24,
};

/** Majors the `node` package of the npm registry provides that are worth picking for a range, newest first (even = LTS lines). */
export const CANDIDATE_MAJORS = [24, 22, 20, 18, 16, 14, 12, 10] as const;

/**
 * `defaultMajor`: the major for a repository that declares nothing (a
 * host's own Node.js may be older than what projects assume today); the
 * running Node.js when absent.
 */
export function nodeRequirement(declared: NodeDeclarations, runningVersion: string = process.version, defaultMajor?: number): NodeRequirement {
  const running = semver.parse(runningVersion);
  if (!running) throw new Error(`cannot parse the running Node.js version ${runningVersion}`);
  const files: Array<[string, string | undefined]> = [
    ['.nvmrc', declared.nvmrc],
    ['.node-version', declared.nodeVersionFile],
  ];
  for (const [file, text] of files) {
    const value = text?.split('\n').map((line) => line.replace(/#.*/, '').trim()).find(Boolean);
    if (value) return fromVersionWord(value, `${file} "${value}"`, running);
  }
  const volta = typeof declared.volta === 'object' && declared.volta !== null ? (declared.volta as Record<string, unknown>).node : undefined;
  if (typeof volta === 'string' && volta.trim()) return fromVersionWord(volta.trim(), `volta.node "${volta.trim()}"`, running);
  const engines = typeof declared.engines === 'object' && declared.engines !== null ? (declared.engines as Record<string, unknown>).node : undefined;
  if (typeof engines === 'string' && engines.trim()) return fromRange(engines.trim(), `engines.node "${engines.trim()}"`, running);
  if (defaultMajor !== undefined && defaultMajor !== running.major) return { major: defaultMajor, useRunning: false, source: `none declared: default ${defaultMajor}` };
  return { major: running.major, useRunning: true, source: 'none' };
}

function fromVersionWord(word: string, source: string, running: semver.SemVer): NodeRequirement {
  const lower = word.toLowerCase().replace(/^v/, '');
  // "node", "stable", "lts/*", "latest": any current release; ours is one.
  if (['node', 'stable', 'latest', 'current', 'lts/*', 'lts'].includes(lower)) return { major: running.major, useRunning: true, source };
  const codename = /^lts\/([a-z]+)$/.exec(lower)?.[1];
  if (codename) {
    const major = LTS_CODENAMES[codename];
    if (!major) throw new UnsupportedNodeRequirementError(`${source}: unknown LTS code name "${codename}"`);
    return { major, useRunning: major === running.major, source };
  }
  const major = /^(\d+)(\.|$)/.exec(lower)?.[1];
  if (major) return { major: Number(major), useRunning: Number(major) === running.major, source };
  return fromRange(word, source, running);
}

function fromRange(range: string, source: string, running: semver.SemVer): NodeRequirement {
  if (!semver.validRange(range)) throw new UnsupportedNodeRequirementError(`${source}: not a Node.js version or semver range`);
  if (semver.satisfies(running, range)) return { major: running.major, useRunning: true, source };
  const major = CANDIDATE_MAJORS.find((candidate) => semver.intersects(range, `^${candidate}.0.0`));
  if (major === undefined) throw new UnsupportedNodeRequirementError(`${source}: no Node.js major from ${CANDIDATE_MAJORS.at(-1)} to ${CANDIDATE_MAJORS[0]} satisfies it`);
  return { major, useRunning: false, source };
}
