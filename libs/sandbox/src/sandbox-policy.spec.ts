import { bubblewrapArgs, type PathKind } from './bubblewrap';
import { classifyExit } from './exit-reason';
import { identityFiles, launcherArgv } from './launcher';
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

  it('dies with its parent in its own PID namespace, without network, and ends with a fresh /proc and a read-only root', () => {
    const args = bubblewrapArgs(plan, describe_);
    expect(args.slice(0, 3)).toEqual(['--die-with-parent', '--new-session', '--unshare-pid']);
    expect(args).toEqual(expect.arrayContaining(['--unshare-net', '--unshare-ipc', '--unshare-uts']));
    expect(args.join(' ')).toMatch(/--proc \/proc --dev \/dev --remount-ro \/ --chdir \/work\/ws\/repo$/);
  });

  it('as root: no user namespace (it would map the run to uid 0), every capability dropped but what the launcher needs', () => {
    const args = bubblewrapArgs(plan, describe_);
    expect(args).not.toContain('--unshare-user');
    const joined = args.join(' ');
    expect(joined).toContain('--cap-drop ALL --cap-add CAP_SETUID --cap-add CAP_SETGID --cap-add CAP_SETPCAP --cap-add CAP_DAC_OVERRIDE --cap-add CAP_FOWNER');
    expect(joined).not.toMatch(/CAP_SYS_ADMIN|CAP_NET/);
  });

  it('as another user: a user namespace with every capability dropped', () => {
    const args = bubblewrapArgs({ ...plan, asRoot: false }, describe_);
    expect(args.join(' ')).toContain('--unshare-user --cap-drop ALL');
    expect(args).not.toContain('--cap-add');
  });

  it('binds the given passwd over the host one', () => {
    const args = bubblewrapArgs({ ...plan, etcFiles: { '/etc/passwd': '/tmp/id/passwd' } }, describe_);
    expect(args.join(' ')).toContain('--ro-bind /tmp/id/passwd /etc/passwd');
    expect(args.join(' ')).not.toContain('--ro-bind /etc/passwd /etc/passwd');
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
    expect(bubblewrapArgs(plan, describe_)).toContain('--unshare-net');
    expect(bubblewrapArgs({ ...plan, network: true }, describe_)).not.toContain('--unshare-net');
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
    [{ ...base, exitCode: null, signal: 'SIGXFSZ' }, 'file-size-limit'],
    [{ ...base, exitCode: 1, stderr: "Error: EFBIG: file too large, write" }, 'file-size-limit'],
    [{ ...base, exitCode: 2, stderr: '/bin/sh: 0: Cannot fork' }, 'process-limit'],
    [{ ...base, exitCode: 1, stderr: 'Error: spawn sleep EAGAIN' }, 'process-limit'],
    [{ ...base, exitCode: 0, stderr: 'Error: spawn sleep EAGAIN (retried, fine)' }, 'exited'],
  ] as const)('%j is %s', (facts, reason) => {
    expect(classifyExit(facts)).toBe(reason);
  });
});

describe('launcherArgv', () => {
  const tools = { prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv' };
  const limits = { memoryMb: 512, maxProcesses: 64, maxFileSizeMb: 8 };

  it('sets every limit, soft and hard, before the command', () => {
    expect(launcherArgv(tools, 'node', ['-e', '1'], limits)).toEqual([
      '/usr/bin/prlimit',
      `--data=${512 * 1024 * 1024}`,
      '--nproc=64',
      `--fsize=${8 * 1024 * 1024}`,
      '--core=0',
      '--',
      'node',
      '-e',
      '1',
    ]);
  });

  it("with an identity, switches to the run's uid keeping only DAC_OVERRIDE and FOWNER", () => {
    const argv = launcherArgv(tools, 'node', [], limits, { uid: 1234567, gid: 1234567 });
    const setpriv = argv.slice(argv.indexOf('/usr/bin/setpriv'));
    expect(setpriv).toEqual([
      '/usr/bin/setpriv',
      '--reuid=1234567',
      '--regid=1234567',
      '--clear-groups',
      '--securebits=+no_setuid_fixup',
      '--inh-caps=-all,+dac_override,+fowner',
      '--ambient-caps=-all,+dac_override,+fowner',
      '--bounding-set=-all,+dac_override,+fowner',
      '--',
      'node',
    ]);
    expect(argv.indexOf('/usr/bin/prlimit')).toBe(0);
  });

  it('names the uid in passwd and group', () => {
    const files = identityFiles({ uid: 1234567, gid: 7654321 }, '/ws/scratch');
    expect(files.passwd).toContain('sandbox:x:1234567:7654321:sandbox:/ws/scratch:/bin/sh');
    expect(files.group).toContain('sandbox:x:7654321:');
  });
});
