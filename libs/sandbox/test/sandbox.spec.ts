import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForbiddenSandboxEnvError, Sandbox, SandboxHealthIndicator, SandboxUnavailableError } from '../src';

/**
 * The sandbox on this host, with real processes: bubblewrap (required here,
 * as in production images — install it with `apt-get install -y
 * bubblewrap`) and the rlimits fallback.
 */
describe('Sandbox', () => {
  const SECRETS = {
    REDIS_URL: 'redis://:hunter2-redis@10.0.0.1:6379',
    INFLUX_PASSWORD: 'hunter2-influx',
    LLM_API_KEY: 'sk-hunter2-model-key',
  };
  let dir: string;
  let workspace: string;
  let outside: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    // The service's own environment holds secrets, as a real generation node's does.
    for (const [name, value] of Object.entries(SECRETS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-spec-'));
    workspace = join(dir, 'workspace');
    outside = join(dir, 'outside');
    mkdirSync(workspace);
    mkdirSync(outside);
    writeFileSync(join(outside, 'service.env'), `INFLUX_PASSWORD=${SECRETS.INFLUX_PASSWORD}\n`);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const node = (script: string) => ({ command: 'node', args: ['-e', script] });

  /** Tries every way a process could learn the service's secrets; prints what it found. */
  const SNOOP = `
    const fs = require('node:fs');
    const found = { env: process.env, parents: [], files: [] };
    for (let pid = process.ppid; pid > 1; ) {
      try { found.parents.push(fs.readFileSync('/proc/' + pid + '/environ', 'utf8')); } catch (e) { found.parents.push(e.code); }
      try { pid = Number(fs.readFileSync('/proc/' + pid + '/stat', 'utf8').split(' ')[3]); } catch { break; }
    }
    try { found.files.push(fs.readFileSync(process.argv[1], 'utf8')); } catch (e) { found.files.push(e.code); }
    console.log(JSON.stringify(found));
  `;

  describe('with bubblewrap', () => {
    let sandbox: Sandbox;

    beforeAll(async () => {
      sandbox = await Sandbox.create({ mode: 'bubblewrap' });
    });

    it('says the OS sandbox is active, and readiness says up', async () => {
      expect(sandbox.status).toMatchObject({ isolation: 'bubblewrap', osSandbox: true, runsAllowed: true, unsafe: false });
      expect(sandbox.status.detail).toMatch(/bubblewrap/);
      expect(await new SandboxHealthIndicator(sandbox).check()).toMatchObject({ status: 'up' });
    });

    it('runs a command in the workspace with stdin, stdout, stderr and its exit code', async () => {
      const result = await sandbox.run({
        ...node(`let s=''; process.stdin.on('data', c => s += c).on('end', () => { require('fs').writeFileSync('out.txt', s.toUpperCase()); console.log('cwd=' + process.cwd()); console.error('warned'); process.exit(3); })`),
        cwd: workspace,
        timeoutMs: 20_000,
        stdin: 'hello',
      });
      expect(result).toMatchObject({ exitCode: 3, reason: 'exited', timedOut: false, killed: false, isolation: 'bubblewrap' });
      expect(result.stdout.trim()).toBe(`cwd=${workspace}`);
      expect(result.stderr.trim()).toBe('warned');
      expect(readFileSync(join(workspace, 'out.txt'), 'utf8')).toBe('HELLO');
    });

    it('gives the process none of the service secrets: not in its environment, not through /proc, not on disk', async () => {
      const result = await sandbox.run({ ...node(SNOOP), args: ['-e', SNOOP, join(outside, 'service.env')], cwd: workspace, timeoutMs: 20_000 });
      expect(result.exitCode).toBe(0);
      const found = JSON.parse(result.stdout);
      for (const value of Object.values(SECRETS)) expect(result.stdout).not.toContain(value);
      expect(Object.keys(found.env)).not.toEqual(expect.arrayContaining(['REDIS_URL']));
      expect(found.env.HOME).toBeDefined();
      expect(found.files).toEqual(['ENOENT']);
    });

    it('refuses to pass secret-looking variables in explicitly', async () => {
      await expect(sandbox.run({ ...node('1'), cwd: workspace, timeoutMs: 5000, env: { INFLUX_PASSWORD: 'x' } })).rejects.toThrow(ForbiddenSandboxEnvError);
      await expect(sandbox.run({ ...node('1'), cwd: workspace, timeoutMs: 5000, env: { OPENAI_API_KEY: 'x' } })).rejects.toThrow(/OPENAI_API_KEY/);
    });

    it('lets the process write its workspace and nothing else', async () => {
      const targets = [join(outside, 'escaped.txt'), join(dir, 'escaped.txt'), '/tmp/escaped-from-sandbox.txt', join(workspace, 'inside.txt')];
      const script = `
        const fs = require('node:fs');
        const results = {};
        for (const target of ${JSON.stringify(targets)}) {
          try { fs.writeFileSync(target, 'x'); results[target] = 'written'; } catch (e) { results[target] = e.code; }
        }
        console.log(JSON.stringify(results));
      `;
      const result = await sandbox.run({ ...node(script), cwd: workspace, timeoutMs: 20_000 });
      const results = JSON.parse(result.stdout);
      expect(results[join(workspace, 'inside.txt')]).toBe('written');
      for (const target of targets.slice(0, 3)) {
        expect(results[target]).toMatch(/EROFS|ENOENT|EACCES/);
        expect(existsSync(target)).toBe(false);
      }
      expect(existsSync(join(workspace, 'inside.txt'))).toBe(true);
    });

    it('kills a run past its time limit, children included, and says so', async () => {
      const marker = `sandbox-spec-sleeper-${process.pid}-${Date.now()}`;
      const script = `require('node:child_process').spawn('sleep', ['600'], { stdio: 'ignore', argv0: '${marker}' }); setInterval(() => {}, 1000);`;
      const result = await sandbox.run({ ...node(script), cwd: workspace, timeoutMs: 1500 });
      expect(result).toMatchObject({ reason: 'time-limit', timedOut: true, killed: true });
      expect(result.summary).toBe('killed by the sandbox: time limit of 1500 ms exceeded');
      expect(pgrep(marker)).toEqual([]);
    });

    it('stops a memory hog', async () => {
      const hog = 'const keep = []; for (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1));';
      const result = await sandbox.run({ ...node(hog), cwd: workspace, timeoutMs: 60_000, memoryMb: 256 });
      expect(result).toMatchObject({ reason: 'memory-limit', timedOut: false });
      expect(result.exitCode).not.toBe(0);
      expect(result.summary).toBe('stopped by the sandbox: memory limit of 256 MB exceeded');
    });

    it('stops a JavaScript heap hog', async () => {
      const hog = 'const keep = []; for (let i = 0; ; i++) keep.push({ i, s: "x" + i });';
      const result = await sandbox.run({ ...node(hog), cwd: workspace, timeoutMs: 120_000, memoryMb: 192 });
      expect(result.reason).toBe('memory-limit');
    });

    it('kills the process tree when the caller aborts', async () => {
      const controller = new AbortController();
      const running = sandbox.run({ ...node('setInterval(() => {}, 1000); console.log("started")'), cwd: workspace, timeoutMs: 60_000, signal: controller.signal, onStdoutLine: (line) => line === 'started' && controller.abort() });
      const result = await running;
      expect(result).toMatchObject({ reason: 'aborted', killed: true, timedOut: false });
    });

    it('streams stdout line by line and caps what it keeps', async () => {
      const lines: string[] = [];
      const result = await sandbox.run({
        ...node('for (let i = 0; i < 5; i++) console.log("line " + i); process.stdout.write("x".repeat(10000))'),
        cwd: workspace,
        timeoutMs: 20_000,
        maxOutputBytes: 1000,
        onStdoutLine: (line) => lines.push(line),
      });
      expect(lines.slice(0, 5)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
      expect(result.outputTruncated).toBe(true);
      expect(result.stdout.length).toBe(1000);
    });

    it('has no network', async () => {
      const script = `require('node:net').connect(9092, '127.0.0.1').on('connect', () => console.log('connected')).on('error', (e) => console.log(e.code));`;
      const result = await sandbox.run({ ...node(script), cwd: workspace, timeoutMs: 20_000 });
      expect(result.stdout.trim()).toBe('ECONNREFUSED');
    });
  });

  describe('with rlimits only (SANDBOX_MODE=rlimits): no OS sandbox, so nothing runs', () => {
    it('refuses every run, says why and how to allow it, and runs nothing', async () => {
      const sandbox = await Sandbox.create({ mode: 'rlimits' });
      expect(sandbox.status).toMatchObject({ isolation: 'rlimits', osSandbox: false, runsAllowed: false, unsafe: false });
      const marker = join(workspace, 'ran.txt');
      const run = sandbox.run({ ...node(`require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`), cwd: workspace, timeoutMs: 20_000 });
      await expect(run).rejects.toThrow(SandboxUnavailableError);
      await expect(run).rejects.toThrow(/refusing to run repository code: no OS sandbox .*SANDBOX_MODE=unsafe-rlimits/);
      expect(existsSync(marker)).toBe(false);
    });

    it('reports the sandbox down under readiness', async () => {
      const health = await new SandboxHealthIndicator(await Sandbox.create({ mode: 'rlimits' })).check();
      expect(health).toMatchObject({ status: 'down', details: { runsAllowed: false } });
    });
  });

  describe('with SANDBOX_MODE=unsafe-rlimits (no OS sandbox, runs allowed)', () => {
    let sandbox: Sandbox;

    beforeAll(async () => {
      sandbox = await Sandbox.create({ mode: 'unsafe-rlimits' });
    });

    it('says the OS sandbox is not active and readiness says degraded', async () => {
      expect(sandbox.status).toMatchObject({ isolation: 'rlimits', osSandbox: false, runsAllowed: true, unsafe: true });
      expect(sandbox.status.detail).toMatch(/UNSAFE/);
      expect(await new SandboxHealthIndicator(sandbox).check()).toMatchObject({ status: 'degraded', details: { unsafe: true } });
    });

    it('still scrubs the environment', async () => {
      const result = await sandbox.run({ ...node('console.log(JSON.stringify(process.env))'), cwd: workspace, timeoutMs: 20_000 });
      const env = JSON.parse(result.stdout);
      for (const value of Object.values(SECRETS)) expect(result.stdout).not.toContain(value);
      expect(env.HOME).not.toBe(process.env.HOME);
    });

    it('still kills a run past its time limit, with its process group', async () => {
      const marker = `sandbox-spec-rl-sleeper-${process.pid}-${Date.now()}`;
      const script = `require('node:child_process').spawn('sleep', ['600'], { stdio: 'ignore', argv0: '${marker}' }); setInterval(() => {}, 1000);`;
      const result = await sandbox.run({ ...node(script), cwd: workspace, timeoutMs: 1500 });
      expect(result).toMatchObject({ reason: 'time-limit', timedOut: true, killed: true, isolation: 'rlimits' });
      expect(pgrep(marker)).toEqual([]);
    });

    it('still stops a memory hog', async () => {
      const hog = 'const keep = []; for (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1));';
      const result = await sandbox.run({ ...node(hog), cwd: workspace, timeoutMs: 60_000, memoryMb: 256 });
      expect(result.reason).toBe('memory-limit');
    });
  });
});

function pgrep(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
