import { isIP } from 'node:net';

/**
 * A repository's `.npmrc` is repository-controlled: it can point the
 * registry elsewhere, turn scripts back on, swap the shell scripts run
 * with, add `node-options`, name certificate files or a proxy. The install
 * gets a copy that keeps only keys that shape the dependency tree and
 * public registries:
 *
 * - kept: `registry` and `@scope:registry` when https and a public host
 *   name (not localhost, not an IP literal: the install has the host's
 *   network, so a registry URL must not become a way to reach services
 *   beside us); layout settings npm and pnpm read from .npmrc
 *   (`node-linker`, hoisting, peer-dependency handling, `install-strategy` …).
 * - dropped, with their names reported: everything else — auth and tokens
 *   (no secret is ever passed in, so a committed token could only fail),
 *   `ignore-scripts`, `script-shell`, `node-options`, `cache`, `prefix`,
 *   `userconfig`, `ca`/`cafile`, proxies, `git`, and any value using
 *   `${ENV}` interpolation.
 */
const LAYOUT_KEYS = new Set([
  'node-linker',
  'shamefully-hoist',
  'hoist',
  'hoist-pattern',
  'public-hoist-pattern',
  'hoist-workspace-packages',
  'strict-peer-dependencies',
  'auto-install-peers',
  'dedupe-peer-dependents',
  'resolve-peers-from-workspace-root',
  'legacy-peer-deps',
  'link-workspace-packages',
  'prefer-workspace-packages',
  'shared-workspace-lockfile',
  'include-workspace-root',
  'install-strategy',
  'install-links',
  'engine-strict',
  'lockfile-include-tarball-url',
]);

export interface FilteredRc {
  text: string;
  kept: string[];
  dropped: string[];
}

export function isPublicHttpsRegistry(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  if (isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal') || !host.includes('.')) return false;
  return true;
}

export function filterNpmrc(text: string): FilteredRc {
  const kept: string[] = [];
  const dropped: string[] = [];
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    const value = eq < 0 ? 'true' : line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
    const registryKey = key === 'registry' || /^@[a-z0-9][a-z0-9._~-]*:registry$/i.test(key);
    const ok = !value.includes('${') && (registryKey ? isPublicHttpsRegistry(value) : LAYOUT_KEYS.has(key) && /^[A-Za-z0-9@*._/, -]*$/.test(value));
    if (ok) {
      kept.push(key);
      lines.push(`${key}=${value}`);
    } else {
      dropped.push(key);
    }
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', kept, dropped };
}

/**
 * Yarn 1's `.yarnrc` (`key "value"` lines): only public registries survive;
 * `yarn-path` (a Yarn committed to the repository), `--install.*` flags
 * and the rest are dropped — the Yarn 1 we install runs the install.
 */
export function filterYarnrc(text: string): FilteredRc {
  const kept: string[] = [];
  const dropped: string[] = [];
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^("?)([^"\s]+)\1\s+"?([^"]*)"?$/.exec(line);
    const key = match?.[2] ?? line.split(/\s+/)[0];
    const value = match?.[3] ?? '';
    if (match && (key === 'registry' || /^@[a-z0-9][a-z0-9._~-]*:registry$/i.test(key)) && isPublicHttpsRegistry(value)) {
      kept.push(key);
      lines.push(`"${key}" "${value}"`);
    } else {
      dropped.push(key);
    }
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', kept, dropped };
}
