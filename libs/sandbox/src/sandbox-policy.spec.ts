import { bubblewrapArgs, type PathKind } from './bubblewrap';
import { classifyExit } from './exit-reason';
import { ForbiddenSandboxEnvError, sandboxEnv } from './sandbox-env';

describe('sandboxEnv', () => {
  const host = { REDIS_URL: 'redis://secret', INFLUX_PASSWORD: 'p', LANG: 'C.UTF-8', PATH: '/opt/evil/bin', HOME: '/root' };

  it('builds the environment from an allowlist, never from the host', () => {
    const env = sandboxEnv({ scratchDir: '/ws/scratch', host, path: ['/usr/bin'] });
    expect(env).toMatchObject({ HOME: '/ws/scratch', TMPDIR: '/ws/scratch', PATH: '/usr/bin', LANG: 'C.UTF-8' });
    expect(env).not.toHaveProperty('REDIS_URL');
    expect(env).not.toHaveProperty('INFLUX_PASSWORD');
  });

  it('caps the Node.js heap when asked', () => {
    expect(sandboxEnv({ scratchDir: '/s', host, nodeHeapMb: 768 }).NODE_OPTIONS).toBe('--max-old-space-size=768');
  });

  it.each(['REDIS_URL', 'INFLUX_PASSWORD', 'LLM_API_KEY', 'OPENAI_API_KEY', 'GITHUB_TOKEN', 'MY_SECRET', 'DB_PASSWORD', 'bad-name'])('refuses %s as an extra variable', (name) => {
    expect(() => sandboxEnv({ scratchDir: '/s', host, extra: { [name]: 'x' } })).toThrow(ForbiddenSandboxEnvError);
  });

  it('accepts ordinary extra variables', () => {
    expect(sandboxEnv({ scratchDir: '/s', host, extra: { FORCE_COLOR: '0', NODE_ENV: 'test' } })).toMatchObject({ FORCE_COLOR: '0', NODE_ENV: 'test' });
  });
});

describe('bubblewrapArgs', () => {
  const layout: Record<string, PathKind> = {
    '/usr': { type: 'dir' },
    '/bin': { type: 'symlink', target: 'usr/bin' },
    '/lib': { type: 'symlink', target: 'usr/lib' },
    '/etc/passwd': { type: 'file' },
    '/etc/ssl': { type: 'dir' },
  };
  const describe_ = (path: string): PathKind => layout[path] ?? { type: 'missing' };
  const plan = { cwd: '/work/ws/repo', writable: ['/work/ws/repo', '/work/ws/scratch'], readOnly: ['/work/node_modules', '/work'], network: false, asRoot: true };

  it('unshares everything, drops capabilities, and ends with a read-only root', () => {
    const args = bubblewrapArgs(plan, describe_);
    expect(args.slice(0, 4)).toEqual(['--die-with-parent', '--new-session', '--unshare-all', '--hostname']);
    expect(args).not.toContain('--share-net');
    expect(args.join(' ')).toContain('--cap-drop ALL');
    expect(args.join(' ')).toMatch(/--remount-ro \/ --chdir \/work\/ws\/repo$/);
  });

  it('recreates merged-/usr symlinks and binds only what exists of /etc', () => {
    const joined = bubblewrapArgs(plan, describe_).join(' ');
    expect(joined).toContain('--symlink usr/bin /bin');
    expect(joined).toContain('--ro-bind /etc/passwd /etc/passwd');
    expect(joined).not.toContain('/etc/shadow');
    expect(joined).not.toContain('/root');
  });

  it('mounts parents before children, so the workspace stays writable inside a read-only tree', () => {
    const args = bubblewrapArgs(plan, describe_);
    const at = (flag: string, path: string) => args.findIndex((a, i) => a === flag && args[i + 1] === path);
    expect(at('--ro-bind', '/work')).toBeGreaterThan(-1);
    expect(at('--ro-bind', '/work')).toBeLessThan(at('--bind', '/work/ws/repo'));
    expect(at('--ro-bind', '/work')).toBeLessThan(at('--ro-bind', '/work/node_modules'));
  });

  it('shares the network only when asked', () => {
    expect(bubblewrapArgs({ ...plan, network: true }, describe_)).toContain('--share-net');
  });
});

describe('classifyExit', () => {
  const base = { exitCode: 0, signal: null, timedOut: false, aborted: false, stderr: '' };

  it.each([
    [{ ...base }, 'exited'],
    [{ ...base, exitCode: 2 }, 'exited'],
    [{ ...base, exitCode: null, signal: 'SIGKILL', timedOut: true }, 'time-limit'],
    [{ ...base, exitCode: null, signal: 'SIGKILL', aborted: true }, 'aborted'],
    [{ ...base, exitCode: 134, stderr: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' }, 'memory-limit'],
    [{ ...base, exitCode: 1, stderr: 'RangeError: Array buffer allocation failed' }, 'memory-limit'],
    [{ ...base, exitCode: 1, stderr: 'MemoryError' }, 'memory-limit'],
    [{ ...base, exitCode: 0, stderr: 'warning: almost out of memory' }, 'exited'],
    [{ ...base, exitCode: null, signal: 'SIGSEGV' }, 'signal'],
  ] as const)('%j is %s', (facts, reason) => {
    expect(classifyExit(facts)).toBe(reason);
  });
});
