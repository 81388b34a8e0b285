/**
 * Why an install or a check could not run, classified from the sandbox's
 * verdict and the manager's output, so callers say "cannot validate"
 * (and never blame a generator) with a reason a maintainer recognises.
 */
export type PrepareFailureKind =
  | 'manager-conflict'
  | 'config-invalid'
  | 'node-unsupported'
  | 'lockfile-missing'
  | 'lockfile-out-of-sync'
  | 'dependency-unavailable'
  | 'registry-unreachable'
  | 'toolchain-unavailable'
  | 'timeout'
  | 'out-of-memory'
  | 'script-needed'
  | 'install-failed';

export interface PrepareFailure {
  kind: PrepareFailureKind;
  /** One line naming the problem, fit for a task failure. */
  message: string;
  /** The end of the output that shows it. */
  excerpt?: string;
}

export interface ProcessOutcome {
  reason: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  summary: string;
}

// eslint-disable-next-line no-control-regex -- colour codes start with ESC
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Lines that name what failed in the usual runners' and tools' output (node:test, TAP, jest, vitest, mocha, tsc, eslint). */
const FAILURE_LINE = /(✖|✗|×|\bnot ok\b|\bFAIL\b|\d+ failing|AssertionError|\berror TS\d+|\s\d+:\d+\s+error\s|^\s*Error:|ERR!|npm error)/;

/**
 * The end of a process's output without colour codes; when the output is
 * longer, the lines naming failures from before the tail come first (a
 * runner lists its failing tests early and a summary last), then `…`.
 */
export function outputExcerpt(outcome: Pick<ProcessOutcome, 'stdout' | 'stderr'>, maxChars = 4000, maxLines = 60): string {
  const clean = (text: string) => text.replace(ANSI, '').replace(/\r/g, '').trimEnd();
  const lines = [clean(outcome.stdout), clean(outcome.stderr)].filter(Boolean).join('\n').split('\n');
  const tailLength = lines.length > maxLines ? Math.floor((maxLines * 2) / 3) : maxLines;
  const tail = lines.slice(-tailLength);
  const earlier = lines.length > tailLength ? lines.slice(0, -tailLength).filter((line) => FAILURE_LINE.test(line)).slice(0, maxLines - tailLength) : [];
  const text = [...earlier, ...(earlier.length ? ['…'] : []), ...tail].join('\n');
  return text.length > maxChars ? `…${text.slice(-maxChars)}` : text;
}

const RULES: Array<{ kind: PrepareFailureKind; pattern: RegExp; message: string }> = [
  {
    kind: 'lockfile-out-of-sync',
    pattern:
      /can only install packages when your package\.json and package-lock\.json|are in sync|ERR_PNPM_OUTDATED_LOCKFILE|lockfile needs to be updated|Your lockfile needs to be updated|YN0028|lockfile would have been modified|ERR_PNPM_LOCKFILE_CONFIG_MISMATCH|Invalid: lock file's|missing from lock file/i,
    message: 'the lockfile is out of sync with package.json',
  },
  { kind: 'lockfile-missing', pattern: /requires an existing package-lock|ERR_PNPM_NO_LOCKFILE|Cannot install with "frozen-lockfile" because pnpm-lock\.yaml is absent/i, message: 'no lockfile to install from' },
  {
    kind: 'registry-unreachable',
    pattern: /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network (is )?unreachable|socket hang up|request to https?:\/\/\S+ failed|getaddrinfo|ERR_PNPM_META_FETCH_FAIL|There appears to be trouble with your network connection/i,
    message: 'the package registry could not be reached',
  },
  {
    kind: 'dependency-unavailable',
    pattern: /E404|404 Not Found|ERR_PNPM_FETCH_404|ERR_PNPM_NO_MATCHING_VERSION|No matching version found|notarget|ETARGET|Couldn't find package|is not in this registry|E401|E403|ERR_PNPM_FETCH_40[13]|Unauthorized|YN0035|Integrity check failed|EINTEGRITY/i,
    message: 'a dependency cannot be downloaded from the registry',
  },
  { kind: 'script-needed', pattern: /node-gyp|prebuild-install|Could not locate the bindings file|was compiled against a different Node\.js version|NODE_MODULE_VERSION/i, message: 'a dependency needs its install script' },
];

export function classifyInstallFailure(outcome: ProcessOutcome, step: string): PrepareFailure {
  const excerpt = outputExcerpt(outcome);
  if (outcome.reason === 'time-limit') return { kind: 'timeout', message: `${step}: ${outcome.summary}`, excerpt };
  if (outcome.reason === 'memory-limit') return { kind: 'out-of-memory', message: `${step}: ${outcome.summary}`, excerpt };
  const text = `${outcome.stderr}\n${outcome.stdout}`;
  for (const rule of RULES) {
    if (rule.pattern.test(text)) return { kind: rule.kind, message: `${step}: ${rule.message}`, excerpt };
  }
  return { kind: 'install-failed', message: `${step}: ${outcome.summary || `exit code ${outcome.exitCode}`}`, excerpt };
}

export class PrepareFailureError extends Error {
  constructor(readonly failure: PrepareFailure) {
    super(failure.message);
    this.name = 'PrepareFailureError';
  }
}
