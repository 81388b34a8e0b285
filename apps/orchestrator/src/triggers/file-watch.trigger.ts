import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ServiceRunner, SERVICE_CONFIG, type Startable } from '@autocode/runtime';
import { watch, type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { TriggerService } from './trigger.service';

/**
 * Watches the target repository and fires one trigger per burst of changes
 * to files matching the configured globs, after a quiet period (30 s by
 * default). The trigger's dedupe key is derived from the changed paths, so
 * two orchestrator instances watching the same checkout record it once.
 */
@Injectable()
export class FileWatchTrigger implements Startable, OnModuleInit {
  readonly name = 'file-watch-trigger';
  private readonly logger = new Logger(FileWatchTrigger.name);
  private watcher?: FSWatcher;
  private readonly changed = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly triggers: TriggerService,
    private readonly runner: ServiceRunner,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  onModuleInit(): void {
    this.runner.register(this);
  }

  async start(): Promise<void> {
    const root = this.config.TARGET_REPOSITORY;
    const globs = this.config.WATCH_GLOBS.split(',').map((g) => g.trim()).filter(Boolean);
    if (globs.length === 0 || /^[a-z]+:\/\//.test(root) || !existsSync(root)) {
      this.logger.log({ msg: 'file watcher off', reason: globs.length === 0 ? 'no globs' : 'target is not a local directory', root });
      return;
    }
    const matches = picomatch(globs, { dot: false });
    this.watcher = watch(root, {
      ignoreInitial: true,
      ignored: (path) => /(^|\/)(\.git|node_modules|dist|coverage)(\/|$)/.test(relative(root, path)),
      awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 },
    });
    const onChange = (path: string) => {
      const rel = relative(root, path);
      if (!matches(rel)) return;
      this.changed.add(rel);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.fire(), this.config.WATCH_DEBOUNCE_MS);
    };
    this.watcher.on('add', onChange).on('change', onChange).on('unlink', onChange);
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    this.logger.log({ msg: 'watching for changes', root, globs, debounceMs: this.config.WATCH_DEBOUNCE_MS });
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher?.close();
  }

  private async fire(): Promise<void> {
    const paths = [...this.changed].sort().slice(0, 1000);
    this.changed.clear();
    // Paths plus modification times: the same burst seen by two instances gives the same key.
    const fingerprint = paths.map((p) => `${p}@${statSync(join(this.config.TARGET_REPOSITORY, p), { throwIfNoEntry: false })?.mtimeMs ?? 'deleted'}`);
    const dedupeKey = `watch:${createHash('sha1').update(fingerprint.join('\n')).digest('hex')}`;
    try {
      await this.triggers.receive(
        { source: 'file-watch', reason: `${paths.length} file(s) changed`, paths, dedupeKey },
        { actor: 'file-watcher' },
      );
    } catch (error) {
      this.logger.error({ msg: 'file-change trigger failed', err: (error as Error).message });
    }
  }
}
