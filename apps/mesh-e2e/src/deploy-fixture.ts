import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A target repository of a deploy test's own: a tiny HTTP service
 * (server.js, configured by app.json), a deploy hook (deploy.js) that
 * (re)starts it from the release checkout the deployer hands it, an
 * autocode.yaml, and a local bare remote the environments push to.
 */

const SERVER_JS = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
// app.json, then every features/*.json over it: a change adds a file instead of editing a shared one.
const features = path.join(__dirname, 'features');
const config = Object.assign(
  JSON.parse(fs.readFileSync(path.join(__dirname, 'app.json'), 'utf8')),
  ...(fs.existsSync(features) ? fs.readdirSync(features).sort().map((f) => JSON.parse(fs.readFileSync(path.join(features, f), 'utf8'))) : []),
);
const revision = process.env.AUTOCODE_REVISION || 'unknown';
const flagUrl = process.env.AUTOCODE_FEATURE_FLAG_URL;

async function flagOn() {
  if (!flagUrl) return true;
  try {
    const response = await fetch(flagUrl);
    return response.ok && (await response.json()).enabled === true;
  } catch {
    return false;
  }
}

const server = http.createServer(async (req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url === '/health') {
    res.statusCode = config.healthy ? 200 : 503;
    return res.end(JSON.stringify({ revision, healthy: config.healthy }));
  }
  if (req.url === '/greeting') {
    const flagged = config.flaggedGreeting && (await flagOn());
    return res.end(JSON.stringify({ revision, greeting: flagged ? config.flaggedGreeting : config.greeting }));
  }
  res.statusCode = 404;
  res.end('{}');
});
let tries = 0;
server.on('error', (error) => {
  if (error.code === 'EADDRINUSE' && tries++ < 200) return setTimeout(() => server.listen(Number(process.env.PORT), '127.0.0.1'), 50);
  throw error;
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const DEPLOY_JS = `
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const state = process.env.STATE_DIR;
const env = process.env;
fs.appendFileSync(path.join(state, 'hooks.jsonl'), JSON.stringify({
  action: env.AUTOCODE_ACTION, revision: env.AUTOCODE_REVISION, weight: env.AUTOCODE_CANARY_WEIGHT || null,
  slot: env.AUTOCODE_SLOT || null, flag: env.AUTOCODE_FEATURE_FLAG || null, deployment: env.AUTOCODE_DEPLOYMENT_ID,
}) + '\\n');
if (env.AUTOCODE_ACTION === 'switch') {
  fs.writeFileSync(path.join(state, 'active-slot'), env.AUTOCODE_SLOT);
  process.exit(0);
}
const port = env.AUTOCODE_SLOT_URL ? new URL(env.AUTOCODE_SLOT_URL).port : env.SERVICE_PORT;
const pidFile = path.join(state, 'server-' + port + '.pid');
try { process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGTERM'); } catch {}
const out = fs.openSync(path.join(state, 'server-' + port + '.log'), 'a');
const child = spawn(process.execPath, [path.join(__dirname, 'server.js')], { detached: true, stdio: ['ignore', out, out], env: { ...env, PORT: port } });
child.unref();
fs.writeFileSync(pidFile, String(child.pid));
`;

export interface FixturePatch {
  diff: string;
  filesChanged: number;
  insertions: number;
  deletions: number;
}

export interface HookCall {
  action: string;
  revision: string;
  weight: string | null;
  slot: string | null;
  flag: string | null;
  deployment: string;
}

export interface FixtureLayout {
  remote: string;
  stateDir: string;
  servicePort: number;
}

export interface FixtureOptions {
  /** More files of the first commit (path → content), e.g. a hook of the test's own. */
  files?: Record<string, string>;
  /** Hooks run as another user (DEPLOY_HOOK_USER): they may enter the fixture and write to its state dir. */
  openToHookUser?: boolean;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@autocode.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

export class DeployFixture {
  private constructor(
    readonly root: string,
    readonly repo: string,
    readonly remote: string,
    readonly stateDir: string,
    readonly servicePort: number,
    readonly commit: string,
  ) {}

  /** `yaml` gets the remote, the hook's state dir and the service port to write autocode.yaml with. */
  static create(
    servicePort: number,
    yaml: (layout: FixtureLayout) => string,
    app: Record<string, unknown> = { healthy: true, greeting: 'hello' },
    options: FixtureOptions = {},
  ): DeployFixture {
    const root = mkdtempSync(join(tmpdir(), 'autocode-deploy-'));
    const repo = join(root, 'repo');
    const remote = join(root, 'remote.git');
    const stateDir = join(root, 'state');
    mkdirSync(repo);
    mkdirSync(stateDir);
    git(root, 'init', '--quiet', '--bare', '-b', 'main', remote);
    git(repo, 'init', '--quiet', '-b', 'main');
    writeFileSync(join(repo, 'server.js'), SERVER_JS);
    writeFileSync(join(repo, 'deploy.js'), DEPLOY_JS);
    writeFileSync(join(repo, 'app.json'), `${JSON.stringify(app, null, 2)}\n`);
    writeFileSync(join(repo, 'autocode.yaml'), yaml({ remote, stateDir, servicePort }));
    for (const [file, content] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      writeFileSync(join(repo, file), content);
    }
    if (options.openToHookUser) {
      chmodSync(root, 0o755);
      chmodSync(stateDir, 0o777);
    }
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'A small service to deploy');
    git(repo, 'remote', 'add', 'origin', remote);
    git(repo, 'push', '--quiet', 'origin', 'main', 'main:develop');
    return new DeployFixture(root, repo, remote, stateDir, servicePort, git(repo, 'rev-parse', 'HEAD'));
  }

  /** A unified diff (from the repository root) adding or replacing files, as a generator would produce it. */
  patch(files: Record<string, unknown>): FixturePatch {
    const work = join(this.root, `work-${Date.now()}-${Math.random().toString(16).slice(2)}`);
    git(this.root, 'clone', '--quiet', this.repo, work);
    try {
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, file)), { recursive: true });
        writeFileSync(join(work, file), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
      }
      git(work, 'add', '-A');
      const diff = `${git(work, 'diff', '--cached')}\n`;
      const stats = git(work, 'diff', '--cached', '--numstat')
        .split('\n')
        .map((line) => line.split('\t').map(Number));
      return { diff, filesChanged: stats.length, insertions: stats.reduce((n, s) => n + s[0], 0), deletions: stats.reduce((n, s) => n + s[1], 0) };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** The bare remote's branch tip, or null. */
  remoteTip(branch: string): string | null {
    try {
      return git(this.remote, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
    } catch {
      return null;
    }
  }

  remoteBranches(): string[] {
    return git(this.remote, 'for-each-ref', '--format=%(refname:short)', 'refs/heads').split('\n').filter(Boolean);
  }

  /** `git` in the bare remote, for assertions on what was pushed. */
  inRemote(...args: string[]): string {
    return git(this.remote, ...args);
  }

  hooks(): HookCall[] {
    const file = join(this.stateDir, 'hooks.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as HookCall);
  }

  activeSlot(): string | null {
    const file = join(this.stateDir, 'active-slot');
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
  }

  /** Stops the services the hooks started (they outlive the deployer on purpose). */
  stopServices(): void {
    if (!existsSync(this.stateDir)) return;
    for (const name of readdirSync(this.stateDir).filter((f) => f.endsWith('.pid'))) {
      try {
        process.kill(Number(readFileSync(join(this.stateDir, name), 'utf8')), 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }

  remove(): void {
    this.stopServices();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Collects what the deployer posts to its webhook, as Slack would receive it. */
export class WebhookReceiver {
  readonly messages: Array<{ path: string; body: Record<string, unknown> }> = [];
  private server?: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        try {
          this.messages.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
          res.writeHead(200).end('ok');
        } catch {
          res.writeHead(400).end('bad json');
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Messages whose Slack metadata names `event` for `deploymentId`. */
  about(deploymentId: string, event: string): Array<Record<string, unknown>> {
    return this.messages
      .map((m) => m.body)
      .filter((b) => {
        const metadata = b.metadata as { event_type?: string; event_payload?: { deploymentId?: string } } | undefined;
        return metadata?.event_type === `deployment_${event.replace(/-/g, '_')}` && metadata.event_payload?.deploymentId === deploymentId;
      });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
