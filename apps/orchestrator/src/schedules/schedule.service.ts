import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG, ServiceIdentity } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import type { TransitionContext } from '../tasks/task-lifecycle.service';
import { createTaskSchema, TaskSubmissionService, type CreateTask } from '../tasks/task-submission.service';
import { TimerService } from '../timers/timer.service';
import { TriggerService } from '../triggers/trigger.service';
import {
  ScheduleExistsError,
  ScheduleNotFoundError,
  type CreateSchedule,
  type ScheduleRecord,
  type ScheduleStatus,
  type UpdateSchedule,
} from './schedule.model';
import { ScheduleRepository, type VersionedSchedule } from './schedule.repository';
import { nextSlotAfter, slotsBetween, slotsToRun } from './schedule-timing';

const FIRE_BATCH = 500;
const FIRE_CONCURRENCY = 64;
/** A firing whose instance died before it finished is taken over after this. */
const FIRING_LOCK_MS = 30_000;

/** The schedule that runs the generation cycle unless an operator changes or removes it. */
export const DEFAULT_CYCLE_SCHEDULE_ID = 'generation-cycle';

/**
 * Interval and cron schedules that create tasks or fire triggers. Every
 * orchestrator instance arms a timer for the earliest due schedule; for each
 * due point exactly one instance wins a lock and fires, and every action is
 * keyed by its slot, so a slot fires once even if a firing is retried.
 */
@Injectable()
export class ScheduleService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(ScheduleService.name);

  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly submission: TaskSubmissionService,
    private readonly triggers: TriggerService,
    private readonly timers: TimerService,
    private readonly metrics: MetricsWriter,
    private readonly identity: ServiceIdentity,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  onModuleInit(): void {
    this.timers.register({ name: 'schedules', earliest: () => this.schedules.earliestDue(), fire: (now) => this.fireDue(now) });
  }

  /** Creates the default generation-cycle schedule once; later changes by operators are kept. */
  async onApplicationBootstrap(): Promise<void> {
    const minutes = this.config.CYCLE_INTERVAL_MINUTES;
    if (minutes === 0 || (await this.schedules.get(DEFAULT_CYCLE_SCHEDULE_ID))) return;
    await this.create({
      id: DEFAULT_CYCLE_SCHEDULE_ID,
      name: `Generation cycle every ${minutes} min`,
      timing: { kind: 'interval', everyMs: minutes * 60_000 },
      target: { kind: 'trigger', trigger: { reason: 'scheduled generation cycle' } },
      enabled: true,
      catchUp: 'once',
      maxCatchUp: 1,
      misfireGraceSeconds: 60,
    }).catch((error) => {
      if (!(error instanceof ScheduleExistsError)) throw error;
    });
  }

  async create(input: CreateSchedule): Promise<ScheduleStatus> {
    const now = Date.now();
    const record: ScheduleRecord = {
      ...input,
      name: input.name ?? input.id,
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      anchorMs: now,
      nextRunAt: new Date(nextSlotAfter(input.timing, now, now)).toISOString(),
      lastRunAt: null,
      lastSlot: null,
      runs: 0,
      lastError: null,
    };
    if ((await this.schedules.compareAndSet(record, null)) === null) throw new ScheduleExistsError(input.id);
    await this.timers.broadcast(Date.parse(record.nextRunAt!));
    return status(record);
  }

  async get(id: string): Promise<ScheduleStatus> {
    const found = await this.schedules.get(id);
    if (!found) throw new ScheduleNotFoundError(id);
    return status(found.record);
  }

  async list(): Promise<ScheduleStatus[]> {
    return (await this.schedules.list()).map(status);
  }

  /** Changes take effect at once: new timing re-anchors; enabling starts from the next slot (nothing missed while disabled runs). */
  async update(id: string, patch: UpdateSchedule): Promise<ScheduleStatus> {
    for (let round = 0; round < 5; round += 1) {
      const found = await this.schedules.get(id);
      if (!found) throw new ScheduleNotFoundError(id);
      const now = Date.now();
      const current = found.record;
      const next: ScheduleRecord = { ...current, ...patch, name: patch.name ?? current.name, updatedAt: new Date(now).toISOString() };
      const retimed = patch.timing !== undefined && JSON.stringify(patch.timing) !== JSON.stringify(current.timing);
      const reenabled = patch.enabled === true && !current.enabled;
      if (retimed) next.anchorMs = now;
      if (retimed || reenabled) next.nextRunAt = new Date(nextSlotAfter(next.timing, next.anchorMs, now)).toISOString();
      if ((await this.schedules.compareAndSet(next, found.version)) !== null) {
        if (next.enabled && next.nextRunAt) await this.timers.broadcast(Date.parse(next.nextRunAt));
        return status(next);
      }
    }
    throw new Error(`schedule ${id}: too many concurrent changes`);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.schedules.remove(id))) throw new ScheduleNotFoundError(id);
  }

  /** Fires what is due. Runs in every instance; locks make each due point fire in one. */
  async fireDue(now: Date): Promise<void> {
    const ids = await this.schedules.dueIds(now.getTime(), FIRE_BATCH);
    const found = await this.schedules.getMany(ids);
    const due = found.filter((s): s is VersionedSchedule => s !== null && s.record.enabled && s.record.nextRunAt !== null);
    const won = await this.schedules.claimSlots(
      due.map((s) => ({ id: `${s.record.id}:firing`, slotMs: Date.parse(s.record.nextRunAt!) })),
      this.identity.instanceId,
      FIRING_LOCK_MS,
    );
    const mine = due.filter((_, i) => won[i]);
    const nowMs = now.getTime();

    // Every slot to run, per schedule; task targets are then created together.
    const firings = mine.map(({ record, version }) => {
      const first = Date.parse(record.nextRunAt!);
      const all = slotsBetween(record.timing, record.anchorMs, first, nowMs, record.maxCatchUp + 1000);
      return { record, version, slots: slotsToRun(all, nowMs, record), skipped: all.length };
    });
    const outcomes = new Map<string, { fired: number; error: string | null }>();
    const taskItems = firings.flatMap(({ record, slots }) =>
      record.target.kind === 'task' ? slots.map((slot) => ({ record, slot, ...this.taskRequest(record, slot) })) : [],
    );
    const results = await this.submission.submitBatch(taskItems.map(({ request, context }) => ({ request, context })));
    const firedAt = Date.now();
    results.forEach((result, i) => {
      const { record, slot } = taskItems[i];
      const outcome = outcomes.get(record.id) ?? { fired: 0, error: null };
      if ('error' in result) outcome.error = `${new Date(slot).toISOString()}: ${result.error}`;
      else {
        outcome.fired += 1;
        this.metrics.record('schedule_fired', { lateness_ms: firedAt - slot, schedule_id: record.id }, { target: 'task' });
      }
      outcomes.set(record.id, outcome);
    });
    await forEachConcurrently(
      firings.filter((f) => f.record.target.kind === 'trigger'),
      FIRE_CONCURRENCY,
      async ({ record, slots }) => {
        const outcome = { fired: 0, error: null as string | null };
        for (const slot of slots) {
          try {
            await this.runTrigger(record, slot);
            outcome.fired += 1;
            this.metrics.record('schedule_fired', { lateness_ms: Date.now() - slot, schedule_id: record.id }, { target: 'trigger' });
          } catch (error) {
            outcome.error = `${new Date(slot).toISOString()}: ${(error as Error).message}`;
          }
        }
        outcomes.set(record.id, outcome);
      },
    );

    const advanced = firings.map(({ record, version, slots, skipped }) => {
      const { fired, error } = outcomes.get(record.id) ?? { fired: 0, error: null };
      if (error) this.logger.warn({ msg: 'schedule could not fire', scheduleId: record.id, err: error });
      if (skipped > slots.length) this.metrics.record('schedule_skipped', { slots: skipped - slots.length, schedule_id: record.id }, { policy: record.catchUp });
      const next: ScheduleRecord = {
        ...record,
        nextRunAt: new Date(nextSlotAfter(record.timing, record.anchorMs, nowMs)).toISOString(),
        lastRunAt: fired > 0 ? new Date(firedAt).toISOString() : record.lastRunAt,
        lastSlot: slots.length ? new Date(slots[slots.length - 1]).toISOString() : record.lastSlot,
        runs: record.runs + fired,
        lastError: error,
      };
      return { record: next, version };
    });
    await this.schedules.compareAndSetMany(advanced);
  }

  /** The task a slot of a task schedule creates, keyed by the slot so it exists once. */
  private taskRequest(record: ScheduleRecord, slotMs: number): { request: CreateTask; context: TransitionContext } {
    if (record.target.kind !== 'task') throw new Error(`schedule ${record.id} does not create tasks`);
    return {
      request: createTaskSchema.parse({
        ...record.target.task,
        correlationId: record.target.task.correlationId ?? `schedule:${record.id}`,
        idempotencyKey: `schedule:${record.id}:${slotMs}`,
      }),
      context: { actor: `schedule:${record.id}`, source: 'scheduler', reason: `slot ${new Date(slotMs).toISOString()}` },
    };
  }

  private async runTrigger(record: ScheduleRecord, slotMs: number): Promise<void> {
    if (record.target.kind !== 'trigger') return;
    await this.triggers.receive({ ...record.target.trigger, source: 'schedule', dedupeKey: `schedule:${record.id}:${slotMs}` }, { actor: `schedule:${record.id}` });
  }
}

function status(record: ScheduleRecord): ScheduleStatus {
  const next = record.enabled && record.nextRunAt ? Date.parse(record.nextRunAt) : null;
  return { ...record, secondsUntilNext: next === null ? null : Math.max(0, Math.round((next - Date.now()) / 100) / 10) };
}

async function forEachConcurrently<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
