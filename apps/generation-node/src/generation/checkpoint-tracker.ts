import { Logger } from '@nestjs/common';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import type { TaskContext } from '@autocode/worker';
import { type GenerationCheckpoint, MAX_CHECKPOINT_DIFF_CHARS, toJson } from './generation-checkpoint';

/**
 * Saves a generate task's progress as checkpoints while its generator
 * works: after a file is finished, at most once per interval, one save at a
 * time (files finished meanwhile go into the next one). The diff covers only
 * files known to be finished, never one the generator is still writing.
 */
export class CheckpointTracker {
  private readonly logger = new Logger(CheckpointTracker.name);
  private readonly done: string[];
  private readonly touched: Set<string>;
  private lastSavedAt = 0;
  private saving: Promise<void> = Promise.resolve();
  private pending = false;
  private percent = 0;
  private message = '';
  saved = 0;

  constructor(
    private readonly workspace: EphemeralWorkspace,
    private readonly context: TaskContext,
    private readonly identity: { generator: string; commit: string },
    resumed: { done: string[]; touched: string[] },
    private readonly intervalMs: number,
  ) {
    this.done = [...resumed.done];
    this.touched = new Set(resumed.touched);
  }

  fileDone(file: string, touched: string[], percent: number, message: string): void {
    if (!this.done.includes(file)) this.done.push(file);
    for (const path of touched) this.touched.add(path);
    this.percent = percent;
    this.message = message;
    if (Date.now() - this.lastSavedAt < this.intervalMs || this.pending) return;
    this.pending = true;
    this.saving = this.saving.then(() => this.save());
  }

  /** Waits for a save in flight (the task must not finish under it). */
  async settle(): Promise<void> {
    await this.saving;
  }

  private async save(): Promise<void> {
    this.pending = false;
    this.lastSavedAt = Date.now();
    if (this.context.signal.aborted) return;
    try {
      // The files and paths as they are now: anything finished while the diff is taken belongs to the next checkpoint.
      const done = [...this.done];
      const paths = [...this.touched];
      const diff = paths.length ? (await this.workspace.diff(paths)).diff : '';
      if (diff.length > MAX_CHECKPOINT_DIFF_CHARS) return;
      const checkpoint: GenerationCheckpoint = { v: 1, generator: this.identity.generator, commit: this.identity.commit, done, diff };
      // The latest percent, not the one when this save was scheduled: progress never goes backwards.
      await this.context.progress(this.percent, `${this.message} (checkpoint: ${done.length} file(s) done)`, toJson(checkpoint));
      this.saved += 1;
    } catch (error) {
      // A checkpoint is an optimisation: without it a retry redoes the work.
      this.logger.warn({ msg: 'could not save a checkpoint', taskId: this.context.taskId, err: (error as Error).message });
    }
  }
}
