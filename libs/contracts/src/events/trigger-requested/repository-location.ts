import { posix } from 'node:path';

/**
 * What a repository string names, as git would read it: a local path (an
 * absolute path or a file:// URL) or a remote (`scheme://host/…`, or the
 * scp-like `user@host:path`, which is ssh). Which schemes, hosts and roots
 * are allowed is configuration (see @autocode/git's RepositoryPolicy); what
 * is refused here is refused everywhere: strings git would read as an
 * option, remote helpers (`ext::sh -c …` runs a command, `fd::` uses a file
 * descriptor), credentials in the URL, control characters and relative
 * paths (relative to what?).
 */
export type RepositoryLocation =
  | { kind: 'local'; path: string }
  | { kind: 'remote'; scheme: string; host: string; port?: number };

export function parseRepositoryLocation(value: string): RepositoryLocation | { problem: string } {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return { problem: 'must not contain control characters' };
  if (value !== value.trim()) return { problem: 'must not start or end with white space' };
  if (value.startsWith('-')) return { problem: 'must not start with "-" (git would read it as an option)' };
  if (/^[A-Za-z0-9][A-Za-z0-9+.-]*::/.test(value)) return { problem: `git remote helpers ("${value.slice(0, value.indexOf('::') + 2)}") are not allowed` };
  if (value.startsWith('/')) return { kind: 'local', path: posix.normalize(value) };

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  if (scheme) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { problem: 'is not a valid URL' };
    }
    // An ssh user name (git@) is not a secret; anything else in the user part of a URL may be a token.
    if (url.password || (url.username && scheme !== 'ssh')) return { problem: 'must not carry credentials (use a git credential helper)' };
    if (scheme === 'file') {
      if (url.hostname && url.hostname !== 'localhost') return { problem: 'a file:// URL must not name a host' };
      return { kind: 'local', path: posix.normalize(decodeURIComponent(url.pathname)) };
    }
    const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    if (!host) return { problem: 'must name a host' };
    return { kind: 'remote', scheme, host, ...(url.port ? { port: Number(url.port) } : {}) };
  }

  // git's scp-like syntax: [user@]host:path, with no slash before the colon.
  const scp = /^(?:([^@/:]+)@)?(\[[^\]]+\]|[^@/:[\]]+):(?!\/\/)/.exec(value);
  if (scp) return { kind: 'remote', scheme: 'ssh', host: scp[2].replace(/^\[|\]$/g, '').toLowerCase() };
  return { problem: 'must be an absolute path or a URL' };
}
