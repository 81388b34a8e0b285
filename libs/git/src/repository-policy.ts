import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { parseRepositoryLocation } from '@autocode/contracts';
import { EgressDeniedError, EgressPolicy } from '@autocode/http';

/** Transports a repository URL may use at all; helpers such as ext:: and fd:: are never among them. */
const KNOWN_SCHEMES = ['file', 'https', 'http', 'ssh', 'git'] as const;

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean));

/**
 * Which repositories a trigger (or TARGET_REPOSITORY) may name. Local paths
 * are the sample and the default; remote ones are cloned by the planner,
 * generators and validator, so they are limited to configured schemes and
 * hosts.
 */
export const repositoryPolicyEnvFields = {
  /** `file` covers absolute paths and file:// URLs. */
  REPOSITORY_ALLOWED_SCHEMES: list('file,https').pipe(z.array(z.enum(KNOWN_SCHEMES, { message: `each entry must be one of ${KNOWN_SCHEMES.join(', ')}` }))),
  /**
   * Hosts remote repositories may live on: names, `*.suffix`, or `*` for any
   * host the egress policy allows (no internal or metadata address).
   */
  REPOSITORY_ALLOWED_HOSTS: list('github.com,gitlab.com,bitbucket.org,codeberg.org').pipe(
    z.array(z.string().regex(/^(\*|(\*\.)?[a-z0-9_.-]+|\[[0-9a-f:.]+\])$/, 'each entry must be a host name, *.suffix or *')),
  ),
  /** Directories local repositories must be inside (absolute, comma-separated); empty: any local path. */
  REPOSITORY_ALLOWED_ROOTS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine((p) => isAbsolute(p), 'each entry must be an absolute path'))),
};

export interface RepositoryPolicyConfig {
  REPOSITORY_ALLOWED_SCHEMES: ReadonlyArray<(typeof KNOWN_SCHEMES)[number]>;
  REPOSITORY_ALLOWED_HOSTS: readonly string[];
  REPOSITORY_ALLOWED_ROOTS: readonly string[];
}

export class RepositoryNotAllowedError extends Error {
  readonly httpStatus = 400;
  constructor(
    readonly repository: string,
    readonly reason: string,
  ) {
    super(`repository ${JSON.stringify(repository.slice(0, 200))} is not allowed: ${reason}`);
    this.name = 'RepositoryNotAllowedError';
  }
}

export class RepositoryPolicy {
  constructor(
    private readonly config: RepositoryPolicyConfig,
    private readonly egress: EgressPolicy = EgressPolicy.fromEnv(),
  ) {}

  /** The policy from environment variables (unset ones take their defaults); throws naming a bad variable. */
  static fromEnv(env: Record<string, string | undefined> = process.env, egress?: EgressPolicy): RepositoryPolicy {
    const parsed = z.object(repositoryPolicyEnvFields).safeParse(env);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${String(issue.path[0])}: ${issue.message}`);
    }
    return new RepositoryPolicy(parsed.data, egress);
  }

  /** Why `repository` may not be used, or undefined when it may. */
  problem(repository: string): string | undefined {
    const location = parseRepositoryLocation(repository);
    if ('problem' in location) return location.problem;
    const { REPOSITORY_ALLOWED_SCHEMES: schemes, REPOSITORY_ALLOWED_HOSTS: hosts, REPOSITORY_ALLOWED_ROOTS: roots } = this.config;
    const scheme = location.kind === 'local' ? 'file' : location.scheme;
    if (!schemes.includes(scheme as (typeof KNOWN_SCHEMES)[number])) {
      return `${location.kind === 'local' ? 'local paths (file)' : `scheme ${scheme}`} not allowed (REPOSITORY_ALLOWED_SCHEMES: ${schemes.join(', ') || 'none'})`;
    }
    if (location.kind === 'local') {
      if (roots.length && !roots.some((root) => isInside(location.path, root))) return `${location.path} is outside REPOSITORY_ALLOWED_ROOTS (${roots.join(', ')})`;
      return undefined;
    }
    const named = hosts.some((h) => h === location.host || (h.startsWith('*.') && location.host.endsWith(h.slice(1))));
    if (named) return undefined;
    if (!hosts.includes('*')) return `host ${location.host} not allowed (REPOSITORY_ALLOWED_HOSTS: ${hosts.join(', ') || 'none'})`;
    // Any host: but not an internal or metadata address (judged like every other request made for a user).
    try {
      this.egress.checkUrl(`https://${location.host.includes(':') ? `[${location.host}]` : location.host}/`);
    } catch (error) {
      if (error instanceof EgressDeniedError) return error.message;
      throw error;
    }
    return undefined;
  }

  assertAllowed(repository: string): void {
    const problem = this.problem(repository);
    if (problem) throw new RepositoryNotAllowedError(repository, problem);
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
