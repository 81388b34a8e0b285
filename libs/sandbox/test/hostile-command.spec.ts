import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transformFileSync } from '@swc/core';
import { waitUntil } from '@autocode/testing';
import { Sandbox } from '../src';

/**
 * A hostile command, run through the real bubblewrap sandbox, tries every
 * escape we know of: the service's secrets (its environment, /proc of the
 * service and of the sandbox's init, /etc/shadow, the mesh's .autocode/),
 * writes outside its workspace, TCP to Redis, Kafka and an HTTP port of the
 * service, a daemon that should outlive the run (and the service, killed
 * with SIGKILL), a fork bomb and a huge file. Every attempt must fail, and
 * every control (the same thing allowed) must succeed, so a failure to
 * detect is not mistaken for a block.
 */
describe('a hostile command in the sandbox', () => {
  const REPO_ROOT = resolve(__dirname, '../../..');
  const SECRET = `sk-spec-${randomBytes(16).toString('hex')}`;
  const REDIS_PASSWORD = randomBytes(12).toString('hex');
  const saved: Record<string, string | undefined> = {};
  let sandbox: Sandbox;
  let dir: string;
  let workspace: string;
  let autocodeSecret: string;
  let server: Server;
  let serverPort: number;
  let serverHits = 0;

  beforeAll(async () => {
    // The service's environment holds secrets generated now, as a real service's would.
    for (const [name, value] of Object.entries({ AUTOCODE_API_KEY: SECRET, REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379` })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    mkdirSync(join(REPO_ROOT, '.autocode'), { recursive: true });
    autocodeSecret = join(REPO_ROOT, '.autocode', `sandbox-spec-${randomBytes(6).toString('hex')}.secret`);
    writeFileSync(autocodeSecret, SECRET, { mode: 0o600 });
    server = createServer((_, response) => {
      serverHits += 1;
      response.end(SECRET);
    });
    await new Promise<void>((done) => server.listen(0, '0.0.0.0', done));
    serverPort = (server.address() as AddressInfo).port;
    sandbox = await Sandbox.create({ mode: 'bubblewrap' });
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(autocodeSecret, { force: true });
    await new Promise((done) => server.close(done));
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hostile-spec-'));
    workspace = join(dir, 'workspace');
    mkdirSync(workspace);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const node = (script: string, ...args: string[]) => ({ command: 'node', args: ['-e', script, ...args], cwd: workspace });

  it('finds no secret: not in its environment, not in any /proc/<pid>/environ, not in /etc/shadow, /root or .autocode/', async () => {
    const script = `
      const fs = require('node:fs');
      const attempt = (f) => { try { return { ok: true, value: f() }; } catch (e) { return { ok: false, code: e.code }; } };
      const pids = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p));
      console.log(JSON.stringify({
        env: process.env,
        pids,
        init: attempt(() => fs.readFileSync('/proc/1/cmdline', 'utf8')),
        environs: [...pids, '${process.pid}', String(process.ppid)].map((pid) => attempt(() => fs.readFileSync('/proc/' + pid + '/environ', 'utf8'))),
        shadow: attempt(() => fs.readFileSync('/etc/shadow', 'utf8')),
        root: attempt(() => fs.readdirSync('/root')),
        autocode: attempt(() => fs.readFileSync(${JSON.stringify(autocodeSecret)}, 'utf8')),
        repo: attempt(() => fs.readdirSync(${JSON.stringify(REPO_ROOT)})),
        uid: process.getuid(),
      }));
    `;
    const result = await sandbox.run({ ...node(script), timeoutMs: 20_000 });
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain(REDIS_PASSWORD);
    const found = JSON.parse(result.stdout);
    expect(found.env).not.toHaveProperty('REDIS_URL');
    expect(found.env).not.toHaveProperty('AUTOCODE_API_KEY');
    // Its own PID namespace: a handful of its own processes, the service's not among them.
    expect(found.pids.length).toBeLessThan(10);
    expect(found.pids).not.toContain(String(process.pid));
    expect(found.init.value).toMatch(/^\/\S*bwrap\0/);
    expect(found.shadow).toEqual({ ok: false, code: 'ENOENT' });
    expect(found.root).toEqual({ ok: false, code: 'ENOENT' });
    expect(found.autocode).toEqual({ ok: false, code: 'ENOENT' });
    expect(found.repo).toEqual({ ok: false, code: 'ENOENT' });
    // The service is root here; the run has a uid of its own, so process limits hold.
    if (process.getuid?.() === 0) expect(found.uid).toBeGreaterThan(65535);
  });

  it('cannot write outside its workspace: not the kernel settings, not the system, not the mesh checkout, not /tmp', async () => {
    // The kernel's knobs first: the run keeps DAC_OVERRIDE when the service is root, and these must still be out of reach.
    const kernel = ['/proc/sys/kernel/core_pattern', '/proc/sysrq-trigger', '/proc/1/mem'];
    const targets = [...kernel, '/etc/passwd', '/usr/bin/hostile', join(REPO_ROOT, 'hostile-marker'), join(REPO_ROOT, '.autocode', 'hostile-marker'), join(dir, 'hostile-marker'), '/tmp/hostile-marker'];
    const script = `
      const fs = require('node:fs');
      const results = {};
      for (const target of ${JSON.stringify(targets)}) {
        try { fs.writeFileSync(target, 'pwned'); results[target] = 'written'; } catch (e) { results[target] = e.code; }
      }
      fs.writeFileSync('inside.txt', 'fine');
      console.log(JSON.stringify(results));
    `;
    const before = readFileSync('/etc/passwd', 'utf8');
    const result = await sandbox.run({ ...node(script), timeoutMs: 20_000 });
    const results = JSON.parse(result.stdout);
    for (const target of targets) expect([target, results[target]]).toEqual([target, expect.stringMatching(/^(EROFS|ENOENT|EACCES)$/)]);
    for (const target of targets.slice(kernel.length + 2)) expect(existsSync(target)).toBe(false);
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(before);
    expect(readFileSync(join(workspace, 'inside.txt'), 'utf8')).toBe('fine');
  });

  const CONNECT = `
    const net = require('node:net');
    const targets = JSON.parse(process.argv[1]);
    Promise.all(targets.map(([host, port]) => new Promise((done) => {
      const socket = net.connect({ host, port, timeout: 3000 });
      socket.on('connect', () => { socket.destroy(); done(host + ':' + port + ' connected'); });
      socket.on('timeout', () => { socket.destroy(); done(host + ':' + port + ' timeout'); });
      socket.on('error', (e) => done(host + ':' + port + ' ' + e.code));
    }))).then((r) => console.log(JSON.stringify(r)));
  `;

  it('reaches no network: not Redis, not Kafka, not an HTTP port of the service, not the host by another address', async () => {
    const hostAddress = execFileSync('hostname', ['-I'], { encoding: 'utf8' }).trim().split(/\s+/)[0] || '127.0.0.1';
    const targets = [
      ['127.0.0.1', 6379],
      ['127.0.0.1', 9092],
      ['127.0.0.1', serverPort],
      [hostAddress, serverPort],
    ];
    const hitsBefore = serverHits;
    const result = await sandbox.run({ ...node(CONNECT, JSON.stringify(targets)), timeoutMs: 20_000 });
    const outcomes: string[] = JSON.parse(result.stdout);
    expect(outcomes).toHaveLength(4);
    for (const outcome of outcomes) expect(outcome).not.toMatch(/connected$/);
    expect(serverHits).toBe(hitsBefore);
  });

  it('control: with network: true (for the package registry) the same connection succeeds', async () => {
    const result = await sandbox.run({ ...node(CONNECT, JSON.stringify([['127.0.0.1', serverPort]])), timeoutMs: 20_000, network: true });
    expect(JSON.parse(result.stdout)).toEqual([`127.0.0.1:${serverPort} connected`]);
  });

  /** Double fork + setsid: the grandchild leads its own session, waits for `go`, then writes `survived`. */
  const daemonize = (marker: string, thenStay: boolean) => `
    const { spawn } = require('node:child_process');
    // Spelled in two halves, so only the grandchild's command line holds the marker.
    const marker = '${marker.slice(0, 4)}' + '${marker.slice(4)}';
    const grandchild = "const fs = require('node:fs'); fs.writeFileSync('daemon.pid', String(process.pid)); setInterval(() => { if (fs.existsSync('go')) fs.writeFileSync('survived', 'yes'); }, 50);";
    const middle = "require('node:child_process').spawn(process.execPath, ['-e', " + JSON.stringify(grandchild) + ", " + JSON.stringify(marker) + "], { detached: true, stdio: 'ignore' }).unref();";
    spawn(process.execPath, ['-e', middle], { detached: true, stdio: 'ignore' }).on('exit', () => {
      const wait = setInterval(() => {
        if (!require('node:fs').existsSync('daemon.pid')) return;
        clearInterval(wait);
        console.log('daemon-ready');
        if (${thenStay}) setInterval(() => {}, 1000);
      }, 20);
    });
  `;

  it('leaves no daemon behind: a double-forked, setsid child is gone when the run ends', async () => {
    const marker = `hostile-daemon-${randomBytes(6).toString('hex')}`;
    const result = await sandbox.run({ ...node(daemonize(marker, false)), timeoutMs: 20_000 });
    expect(result.stdout.trim()).toBe('daemon-ready');
    expect(existsSync(join(workspace, 'daemon.pid'))).toBe(true);
    expect(pgrep(marker)).toEqual([]);
    // Had it survived, it would answer `go` within 50 ms; it is not there to.
    writeFileSync(join(workspace, 'go'), '');
    expect(pgrep(marker)).toEqual([]);
    expect(existsSync(join(workspace, 'survived'))).toBe(false);
  });

  it('leaves no daemon behind when the service itself is killed with SIGKILL', async () => {
    const marker = `hostile-orphan-${randomBytes(6).toString('hex')}`;
    const service = spawn(process.execPath, [await compiledServiceScript(dir)], {
      cwd: dir,
      env: { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules'), SPEC_WORKSPACE: workspace, SPEC_SCRIPT: daemonize(marker, true) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((done) => service.on('exit', () => done()));
    await new Promise<void>((done, fail) => {
      service.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('daemon-ready') && done());
      service.on('exit', (code) => fail(new Error(`the service exited (${code}) before its run started`)));
    });
    expect(pgrep(marker)).toHaveLength(1); // the daemon, alive while the service is
    service.kill('SIGKILL');
    await exited;
    await waitUntil('the daemon to die with the service', () => pgrep(marker).length === 0, { timeoutMs: 15_000 });
    writeFileSync(join(workspace, 'go'), '');
    expect(pgrep(marker)).toEqual([]);
    expect(existsSync(join(workspace, 'survived'))).toBe(false);
  });

  it('cannot fork past its process limit: a spawn loop stops at the limit with reason process-limit', async () => {
    const script = `
      const { spawn } = require('node:child_process');
      let started = 0;
      const next = () => {
        const child = spawn('sleep', ['60'], { stdio: 'ignore' });
        child.on('spawn', () => { started += 1; if (started < 5000) next(); });
        child.on('error', (e) => { console.log(JSON.stringify({ started, code: e.code })); console.error(e.message); process.exit(1); });
      };
      next();
    `;
    const result = await sandbox.run({ ...node(script), timeoutMs: 60_000, maxProcesses: 64 });
    const outcome = JSON.parse(result.stdout);
    expect(outcome.code).toBe('EAGAIN');
    // Processes and threads count together: node's own threads take part of the 64.
    expect(outcome.started).toBeGreaterThan(0);
    expect(outcome.started).toBeLessThan(64);
    expect(result.reason).toBe('process-limit');
    expect(result.summary).toBe('stopped by the sandbox: process limit of 64 reached (processes and threads)');
  });

  it('survives a classic fork bomb: bounded by the process limit, ended by a limit, the host still forks', async () => {
    const result = await sandbox.run({ command: '/bin/sh', args: ['-c', 'bomb() { bomb | bomb & }; while :; do bomb; done'], cwd: workspace, timeoutMs: 3000, maxProcesses: 64 });
    // Either the bomb outlives the time limit, or the shell itself can no longer fork and gives up: both are the limits at work.
    expect(['time-limit', 'process-limit']).toContain(result.reason);
    expect(result.stderr).toMatch(/Cannot fork/);
    expect(execFileSync(process.execPath, ['-e', 'console.log("host fine")'], { encoding: 'utf8' }).trim()).toBe('host fine');
  });

  it('cannot write a file past its size limit', async () => {
    const script = `
      const fs = require('node:fs');
      const fd = fs.openSync('huge.bin', 'w');
      const chunk = Buffer.alloc(1024 * 1024, 1);
      for (let i = 0; i < 64; i++) fs.writeSync(fd, chunk);
      console.log('wrote 64 MB');
    `;
    const result = await sandbox.run({ ...node(script), timeoutMs: 30_000, maxFileSizeMb: 4 });
    expect(result.stdout).not.toContain('wrote 64 MB');
    expect(result.reason).toBe('file-size-limit');
    expect(result.summary).toBe('stopped by the sandbox: file size limit of 4 MB exceeded');
    expect(statSync(join(workspace, 'huge.bin')).size).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('as a non-root service (as in the images): a user namespace, and still no secret, no network, and a process limit per run', async () => {
    chownSync(workspace, 65534, 65534);
    const script = `
      const fs = require('node:fs');
      const net = require('node:net');
      const { spawn } = require('node:child_process');
      const environs = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).map((pid) => { try { return fs.readFileSync('/proc/' + pid + '/environ', 'utf8'); } catch (e) { return e.code; } });
      const socket = net.connect(6379, '127.0.0.1');
      socket.on('connect', () => { console.log('NET connected'); socket.destroy(); bomb(); });
      socket.on('error', (e) => { console.log('NET ' + e.code); bomb(); });
      console.log('ENV ' + JSON.stringify({ env: process.env, environs, uid: process.getuid() }));
      let started = 0;
      const bomb = () => {
        const child = spawn('sleep', ['60'], { stdio: 'ignore' });
        child.on('spawn', () => { started += 1; if (started < 5000) bomb(); });
        child.on('error', (e) => { console.log('FORK ' + JSON.stringify({ started, code: e.code })); console.error(e.message); process.exit(1); });
      };
    `;
    const service = spawn(process.execPath, [await compiledServiceScript(dir)], {
      cwd: dir,
      uid: 65534,
      gid: 65534,
      env: { ...process.env, HOME: '/nonexistent', NODE_PATH: join(REPO_ROOT, 'node_modules'), SPEC_WORKSPACE: workspace, SPEC_SCRIPT: script, SPEC_REQUEST: JSON.stringify({ maxProcesses: 64 }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    service.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => service.on('exit', done));
    expect({ code, output: output.slice(-2000) }).toMatchObject({ code: 0 });
    const line = (prefix: string) => output.split('\n').find((l) => l.startsWith(prefix))?.slice(prefix.length);
    const seen = JSON.parse(line('ENV ')!);
    expect(JSON.stringify(seen)).not.toContain(SECRET);
    expect(JSON.stringify(seen)).not.toContain(REDIS_PASSWORD);
    expect(line('NET ')).toBe('ECONNREFUSED');
    const fork = JSON.parse(line('FORK ')!);
    expect(fork.code).toBe('EAGAIN');
    expect(fork.started).toBeLessThan(64);
    expect(JSON.parse(line('RESULT ')!)).toMatchObject({ reason: 'process-limit', isolation: 'bubblewrap' });
  });
});

/**
 * A stand-in service in its own process (so the test can SIGKILL it): the
 * real Sandbox, compiled from this lib's sources with swc, runs SPEC_SCRIPT
 * and prints its stdout lines.
 */
async function compiledServiceScript(dir: string): Promise<string> {
  const out = join(dir, 'service');
  mkdirSync(out, { recursive: true });
  const src = resolve(__dirname, '../src');
  for (const file of ['sandbox', 'bubblewrap', 'exit-reason', 'launcher', 'sandbox-env', 'sandbox.config']) {
    const { code } = transformFileSync(join(src, `${file}.ts`), { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
    writeFileSync(join(out, `${file}.js`), code);
  }
  const main = join(out, 'main.js');
  writeFileSync(
    main,
    `const { Sandbox } = require('./sandbox');
     Sandbox.create({ mode: 'bubblewrap' }).then(async (sandbox) => {
       const result = await sandbox.run({ command: 'node', args: ['-e', process.env.SPEC_SCRIPT], cwd: process.env.SPEC_WORKSPACE, timeoutMs: 120000, onStdoutLine: (line) => console.log(line), ...JSON.parse(process.env.SPEC_REQUEST || '{}') });
       console.log('RESULT ' + JSON.stringify(result));
     });`,
  );
  chmodSync(dir, 0o755);
  return main;
}

function pgrep(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
