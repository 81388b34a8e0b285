import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { WORKSPACE_ROOT } from './service-process';
import { waitUntil } from './wait-until';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(port, '127.0.0.1');
  });
}

async function waitForExit(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

/**
 * A Redis server of a test's own, which it may stop and start at will
 * without touching the shared one.
 */
export class ThrowawayRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort());
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitUntil(`redis on ${this.port}`, () => portOpen(this.port), { timeoutMs: 10_000 });
  }

  async halt(): Promise<void> {
    this.child?.kill('SIGKILL');
    await waitForExit(this.child);
  }
}

/**
 * A single-node KRaft Kafka of a test's own, from the jars infra/local
 * fetched. Lets a test take the broker away and bring it back.
 */
export class ThrowawayKafka {
  private child?: ChildProcess;
  private readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly controllerPort: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'autocode-kafka-'));
  }

  static libDir(): string {
    return join(process.env.AUTOCODE_CACHE ?? join(homedir(), '.cache/autocode'), 'kafka-3.9.1/lib');
  }

  static async start(): Promise<ThrowawayKafka> {
    if (!existsSync(ThrowawayKafka.libDir())) throw new Error(`Kafka jars missing at ${ThrowawayKafka.libDir()}: run infra/local/infra.sh up`);
    const kafka = new ThrowawayKafka(await freePort(), await freePort());
    kafka.format();
    await kafka.resume();
    return kafka;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    this.child = spawn('java', ['-Xms128m', '-Xmx512m', ...this.javaArgs(), 'kafka.Kafka', join(this.dir, 'server.properties')], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await waitUntil(`kafka on ${this.port}`, () => portOpen(this.port), { timeoutMs: 60_000, intervalMs: 250 });
  }

  async halt(): Promise<void> {
    this.child?.kill('SIGKILL');
    await waitForExit(this.child);
  }

  async destroy(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private javaArgs(): string[] {
    return [`-Dlog4j.configuration=file:${join(WORKSPACE_ROOT, 'infra/local/kafka/log4j.properties')}`, '-cp', `${ThrowawayKafka.libDir()}/*`];
  }

  private format(): void {
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    const template = readFileSync(join(WORKSPACE_ROOT, 'infra/local/kafka/server.properties.template'), 'utf8');
    const properties = template
      .replaceAll('@KAFKA_PORT@', String(this.port))
      .replaceAll('@CONTROLLER_PORT@', String(this.controllerPort))
      .replaceAll('@DATA_DIR@', join(this.dir, 'data'));
    writeFileSync(join(this.dir, 'server.properties'), properties);
    const clusterId = execFileSync('java', [...this.javaArgs(), 'kafka.tools.StorageTool', 'random-uuid']).toString().trim();
    execFileSync('java', [...this.javaArgs(), 'kafka.tools.StorageTool', 'format', '-c', join(this.dir, 'server.properties'), '-t', clusterId, '--ignore-formatted'], {
      stdio: 'ignore',
    });
  }
}
