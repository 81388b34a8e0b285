import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import type { GitClient } from '@autocode/git';

/**
 * Paths a generated patch may not touch unless the repository's own
 * autocode.yaml (at the base revision) allows them: what decides how the
 * change is judged, built, installed or deployed, rather than what the
 * product does. Dependency updates stay free: package.json and lockfiles
 * are not here. The deploy hook's own files are added per repository
 * (`hookFileGlobs`).
 */
export const PROTECTED_PATHS: ReadonlyArray<{ glob: string; why: string }> = [
  { glob: 'autocode.yaml', why: "autocode's configuration (validation, environments, deploy hooks)" },
  // CI: runs with the repository's CI secrets.
  { glob: '.github/**', why: 'CI configuration' },
  { glob: '.gitlab-ci.yml', why: 'CI configuration' },
  { glob: '.gitlab/**', why: 'CI configuration' },
  { glob: '.circleci/**', why: 'CI configuration' },
  { glob: '.ci/**', why: 'CI configuration' },
  { glob: 'azure-pipelines.yml', why: 'CI configuration' },
  { glob: '.azure-pipelines/**', why: 'CI configuration' },
  { glob: 'Jenkinsfile', why: 'CI configuration' },
  { glob: '.buildkite/**', why: 'CI configuration' },
  { glob: '.travis.yml', why: 'CI configuration' },
  { glob: 'bitbucket-pipelines.yml', why: 'CI configuration' },
  { glob: '.drone.yml', why: 'CI configuration' },
  { glob: '.woodpecker.yml', why: 'CI configuration' },
  { glob: '.woodpecker/**', why: 'CI configuration' },
  { glob: 'appveyor.yml', why: 'CI configuration' },
  // Package managers: registries, tokens, install-time plugins and hooks.
  { glob: '**/.npmrc', why: 'package-manager configuration' },
  { glob: '**/.yarnrc', why: 'package-manager configuration' },
  { glob: '**/.yarnrc.yml', why: 'package-manager configuration' },
  { glob: '**/.pnpmfile.cjs', why: 'package-manager configuration (install hooks)' },
  { glob: 'pnpm-workspace.yaml', why: 'package-manager configuration (pnpm settings live here)' },
  { glob: '.yarn/plugins/**', why: 'package-manager plugins' },
  { glob: '.yarn/releases/**', why: 'package-manager binaries' },
  { glob: 'bunfig.toml', why: 'package-manager configuration' },
  // Git hooks: run on developers' machines.
  { glob: '.husky/**', why: 'git hooks' },
  { glob: '.githooks/**', why: 'git hooks' },
  { glob: 'lefthook.yml', why: 'git hooks' },
  { glob: 'lefthook.yaml', why: 'git hooks' },
  { glob: '.lefthook.yml', why: 'git hooks' },
  { glob: '.pre-commit-config.yaml', why: 'git hooks' },
  { glob: '**/.gitattributes', why: 'git attributes (filters and diff drivers run commands)' },
  { glob: '.gitmodules', why: 'git submodules' },
];

/** The validation stage that checks them: a record without it passed is no evidence (a validator that never looked). */
export const PROTECTED_PATHS_STAGE = 'protected-paths';

export interface ProtectedPathHit {
  path: string;
  why: string;
}

/** A repository's `validation.allow_protected_paths`: globs relative to the repository root. */
export const allowProtectedPathsSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(500)
      .refine((g) => !g.startsWith('/') && !g.split('/').includes('..'), 'must be a glob relative to the repository root (no leading /, no ..)')
      .refine((g) => {
        try {
          picomatch(g);
          return true;
        } catch {
          return false;
        }
      }, 'is not a valid glob'),
  )
  .max(100)
  .default([]);

/**
 * The touched paths that are protected and not allowed, each with why.
 * `hookGlobs` are the deploy hook's files and directories (`hookFileGlobs`).
 */
export function protectedPathHits(touched: readonly string[], options: { hookGlobs?: readonly string[]; allow?: readonly string[] } = {}): ProtectedPathHit[] {
  const rules = [...PROTECTED_PATHS, ...(options.hookGlobs ?? []).map((glob) => ({ glob, why: 'the deploy hook (named in autocode.yaml)' }))].map((rule) => ({
    ...rule,
    matches: picomatch(rule.glob, { dot: true }),
  }));
  const allowed = picomatch([...(options.allow ?? [])].length ? [...options.allow!] : ['\0never'], { dot: true });
  const hits: ProtectedPathHit[] = [];
  for (const path of new Set(touched.map((p) => posix.normalize(p).replace(/^\.\//, '')))) {
    const rule = rules.find((r) => r.matches(path));
    if (rule && !allowed(path)) hits.push({ path, why: rule.why });
  }
  return hits;
}

/**
 * The words of a hook command that could name a file of the repository
 * (`./deploy.sh`, `scripts/deploy.js`, `deploy`): the caller keeps those
 * that exist at the base revision. Options, variables and absolute paths
 * are not the repository's.
 */
export function hookFileCandidates(command: string): string[] {
  const words = command
    .split(/[\s;&|()<>`]+/)
    .map((w) => w.replace(/^["']+|["']+$/g, ''))
    .filter((w) => w && !w.startsWith('-') && !w.startsWith('$') && !w.startsWith('/') && !w.startsWith('~') && !w.includes('='));
  const out = new Set<string>();
  for (const word of words) {
    const path = posix.normalize(word).replace(/\/+$/, '');
    if (path === '.' || path.startsWith('../') || path === '..') continue;
    out.add(path.replace(/^\.\//, ''));
  }
  return [...out];
}

/**
 * Globs protecting a hook's files: every word of its command that could be
 * a repository file, whether or not it exists at the base revision, so a
 * patch can neither edit nor plant a file the command runs (a root-level
 * file named `node` is no loss). Directories are not taken whole: `cd app`
 * must not freeze the product.
 */
export function hookFileGlobs(hookCommands: readonly string[]): string[] {
  return [...new Set(hookCommands.flatMap(hookFileCandidates))].map(escapeGlob);
}

function escapeGlob(path: string): string {
  return path.replace(/[*?[\]{}()!+@]/g, (c) => `\\${c}`);
}

/** The hook commands of every environment in an autocode.yaml document (read loosely: the deployer validates the section). */
export function hookCommandsOf(document: unknown): string[] {
  const environments = (document as { deployment?: { environments?: unknown } } | null)?.deployment?.environments;
  if (!Array.isArray(environments)) return [];
  return environments
    .map((env) => (env as { deploy_hook?: unknown } | null)?.deploy_hook)
    .map((hook) => (typeof hook === 'string' ? hook : typeof (hook as { command?: unknown } | null)?.command === 'string' ? (hook as { command: string }).command : undefined))
    .filter((c): c is string => Boolean(c));
}

/**
 * Every path a patch touches, as git itself reads it (`git apply --numstat`,
 * the parser the real apply uses): both sides of renames and copies, mode
 * changes, binary files, patches without `diff --git` headers.
 */
export async function pathsTouchedByPatch(git: GitClient, diff: string): Promise<string[]> {
  // Outside any repository, so git reads the patch only.
  const dir = await mkdtemp(join(tmpdir(), 'autocode-patch-paths-'));
  try {
    const out = await git.execWithInput(dir, ['apply', '--numstat', '-z', '-'], diff);
    const fields = out.split('\0');
    const paths: string[] = [];
    for (let i = 0; i < fields.length; i++) {
      const entry = /^[0-9-]+\t[0-9-]+\t([\s\S]*)$/.exec(fields[i]);
      if (!entry) continue;
      const path = entry[1];
      if (path) paths.push(path);
      else {
        // A rename or copy: `added\tdeleted\t` then the old and the new path.
        paths.push(fields[i + 1], fields[i + 2]);
        i += 2;
      }
    }
    // numstat names a rename by its new path only; the old one (gone after the apply) counts too.
    return [...new Set([...paths, ...headerPaths(diff)].filter(Boolean))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Paths named in a patch's headers (old and new sides), C-quoted or not: a superset check beside git's own reading. */
export function headerPaths(diff: string): string[] {
  const out: string[] = [];
  for (const line of diff.split('\n')) {
    const named = /^(?:rename|copy) (?:from|to) (.+)$/.exec(line);
    if (named) out.push(unquote(named[1]));
    const side = /^(?:---|\+\+\+) (.+?)\t?$/.exec(line);
    if (side && side[1] !== '/dev/null') out.push(unquote(side[1]).replace(/^[ab]\//, ''));
    const git = /^diff --git a\/(\S+) b\/(\S+)$/.exec(line);
    if (git) out.push(git[1], git[2]);
  }
  return out;
}

function unquote(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"')) return path;
  const escapes: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\' };
  const bytes = path.slice(1, -1).replace(/\\([0-7]{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : (escapes[e] ?? e)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
