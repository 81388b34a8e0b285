import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';
import { waitUntil } from './wait-until';

export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

export const SERVICES = ['orchestrator', 'planner', 'generation-node', 'validator', 'deployer'] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * A built service running as its own OS process, exactly as it is deployed,
 * so tests can kill it (SIGKILL included) and restart it.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private readonly lines: string[] = [];
  private exitCode: number | null | undefined;

  private constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async start(name: ServiceName, env: Record<string, string>, options: { waitReady?: boolean } = {}): Promise<ServiceProcess> {
    const port = env.HTTP_PORT ? Number(env.HTTP_PORT) : await freePort();
    const service = new ServiceProcess(name, port, { ...env, HTTP_PORT: String(port) });
    service.spawn();
    if (options.waitReady ?? true) await service.waitReady();
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exited(): number | null | undefined {
    return this.exitCode;
  }

  logs(): string {
    return this.lines.join('\n');
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      `${this.name} to become ready`,
      async () => {
        if (this.exitCode !== undefined) throw new Error(`${this.name} exited with ${this.exitCode}:\n${this.tail()}`);
        const response = await fetch(`${this.url}/health/ready`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${this.name} log tail ---\n${this.tail()}`);
    });
  }

  /** Graceful stop (SIGTERM), as an orchestrator of processes would. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.child || this.exitCode !== undefined) return;
    this.child.kill('SIGTERM');
    await waitUntil(`${this.name} to exit`, () => this.exitCode !== undefined, { timeoutMs }).catch(() => this.child?.kill('SIGKILL'));
  }

  /** Abrupt death: no shutdown hooks, no goodbye to the consumer group. */
  async kill(): Promise<void> {
    if (!this.child || this.exitCode !== undefined) return;
    this.child.kill('SIGKILL');
    await waitUntil(`${this.name} to die`, () => this.exitCode !== undefined, { timeoutMs: 10_000 });
  }

  async restart(): Promise<void> {
    await this.stop();
    this.exitCode = undefined;
    this.spawn();
    await this.waitReady();
  }

  tail(lines = 40): string {
    return this.lines.slice(-lines).join('\n');
  }

  private spawn(): void {
    const main = join(WORKSPACE_ROOT, 'dist/apps', this.name, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build the services first (npx nx run-many -t build)`);
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.lines.push(line);
      if (this.lines.length > 2000) this.lines.splice(0, this.lines.length - 2000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : null);
    });
    this.child = child;
  }
}
