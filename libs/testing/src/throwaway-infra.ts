import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

/** Credentials made up at run time, so no secret lives in the repository. */
export interface Credentials {
  username: string;
  password: string;
}

export function randomCredentials(label: string): Credentials {
  return { username: `${label}-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') };
}

export interface ThrowawayRedisOptions {
  /** `requirepass`: the default user needs this password. */
  password?: string;
  /** ACL users with every permission, each with its own password. */
  users?: Credentials[];
}

/**
 * A Redis server of a test's own, which it may stop and start at will
 * without touching the shared one; optionally with AUTH and ACL users.
 */
export class ThrowawayRedis {
  private child?: ChildProcess;
  private readonly dir: string;

  private constructor(
    readonly port: number,
    readonly options: ThrowawayRedisOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'autocode-redis-'));
  }

  static async start(options: ThrowawayRedisOptions = {}): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort(), options);
    await redis.resume();
    return redis;
  }

  /** Without credentials unless given (`urlFor(user, password)` for an ACL user). */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  urlFor(username: string, password: string): string {
    return `redis://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    // Secrets go in a file only this user can read, not on the command line for `ps` to show.
    const lines = [`port ${this.port}`, 'bind 127.0.0.1', 'save ""', 'appendonly no'];
    if (this.options.password) lines.push(`requirepass ${this.options.password}`);
    for (const user of this.options.users ?? []) lines.push(`user ${user.username} on >${user.password} ~* &* +@all`);
    const config = join(this.dir, 'redis.conf');
    writeFileSync(config, `${lines.join('\n')}\n`, { mode: 0o600 });
    this.child = spawn('redis-server', [config], { stdio: 'ignore' });
    await waitUntil(`redis on ${this.port}`, () => portOpen(this.port), { timeoutMs: 10_000 });
  }

  async halt(): Promise<void> {
    this.child?.kill('SIGKILL');
    await waitForExit(this.child);
  }

  async destroy(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ThrowawayKafkaOptions {
  /** Adds a SASL_PLAINTEXT listener (`saslBrokers`) where these users log in with SCRAM-SHA-256. */
  scramUsers?: Credentials[];
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
    private readonly saslPort: number | undefined,
    private readonly options: ThrowawayKafkaOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'autocode-kafka-'));
  }

  static libDir(): string {
    return join(process.env.AUTOCODE_CACHE ?? join(homedir(), '.cache/autocode'), 'kafka-3.9.1/lib');
  }

  static async start(options: ThrowawayKafkaOptions = {}): Promise<ThrowawayKafka> {
    if (!existsSync(ThrowawayKafka.libDir())) throw new Error(`Kafka jars missing at ${ThrowawayKafka.libDir()}: run infra/local/infra.sh up`);
    const saslPort = options.scramUsers?.length ? await freePort() : undefined;
    const kafka = new ThrowawayKafka(await freePort(), await freePort(), saslPort, options);
    kafka.format();
    await kafka.resume();
    return kafka;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The SCRAM-SHA-256 listener (started with `scramUsers`). */
  get saslBrokers(): string {
    if (!this.saslPort) throw new Error('this broker was started without scramUsers');
    return `127.0.0.1:${this.saslPort}`;
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
    let properties = template
      .replaceAll('@KAFKA_PORT@', String(this.port))
      .replaceAll('@CONTROLLER_PORT@', String(this.controllerPort))
      .replaceAll('@DATA_DIR@', join(this.dir, 'data'));
    const scram: string[] = [];
    if (this.saslPort) {
      // Clients log in on their own listener; the broker still talks to itself over PLAINTEXT.
      const sasl = `SASL_PLAINTEXT://127.0.0.1:${this.saslPort}`;
      properties = properties
        .replace(/^listeners=(.*)$/m, `listeners=$1,${sasl}`)
        .replace(/^advertised\.listeners=(.*)$/m, `advertised.listeners=$1,${sasl}`)
        .replace(/^listener\.security\.protocol\.map=(.*)$/m, 'listener.security.protocol.map=$1,SASL_PLAINTEXT:SASL_PLAINTEXT');
      properties += [
        '',
        'sasl.enabled.mechanisms=SCRAM-SHA-256',
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        '',
      ].join('\n');
      for (const user of this.options.scramUsers ?? []) scram.push('--add-scram', `SCRAM-SHA-256=[name=${user.username},password=${user.password}]`);
    }
    writeFileSync(join(this.dir, 'server.properties'), properties, { mode: 0o600 });
    // A Kafka cluster id is 16 random bytes in URL-safe base64 (what `StorageTool random-uuid` prints), minus a JVM start.
    const clusterId = randomBytes(16).toString('base64url');
    execFileSync('java', [...this.javaArgs(), 'kafka.tools.StorageTool', 'format', '-c', join(this.dir, 'server.properties'), '-t', clusterId, '--ignore-formatted', ...scram], {
      stdio: 'ignore',
    });
  }
}
