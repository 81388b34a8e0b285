import { Injectable } from '@nestjs/common';
import { TASK_PRIORITIES, TASK_STATES, WORKER_POOLS } from '@autocode/contracts';
import { nextSlotAfter } from '../schedules/schedule-timing';
import { ScheduleRepository } from '../schedules/schedule.repository';
import { TaskRepository } from '../tasks/task.repository';
import { WorkerRepository } from '../workers/worker.repository';

export interface ForecastEntry {
  at: string;
  kind: 'delayed-task' | 'retry' | 'schedule';
  id: string;
  detail: string;
  priority?: string;
}

const FORECAST_LIMIT = 1000;

/** Read-only views of the queue for operators: load figures and what will run when. */
@Injectable()
export class QueueInsightsService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly workers: WorkerRepository,
    private readonly schedules: ScheduleRepository,
  ) {}

  async summary() {
    const now = Date.now();
    const [buckets, depth, delayed, states, workers] = await Promise.all([
      this.tasks.statsSince(60, now),
      this.tasks.readyDepth(),
      this.tasks.delayedCount(),
      this.tasks.countByState(TASK_STATES),
      this.workers.list(),
    ]);
    const sum = (list: Array<Record<string, number>>, key: string) => list.reduce((total, b) => total + (b[key] ?? 0), 0);
    const lastHour = { completed: sum(buckets, 'COMPLETED'), failed: sum(buckets, 'FAILED'), cancelled: sum(buckets, 'CANCELLED') };
    const lastFive = buckets.slice(-5);
    const finishedLastFive = sum(lastFive, 'COMPLETED') + sum(lastFive, 'FAILED');
    const queueDepth = Object.fromEntries(
      WORKER_POOLS.map((pool) => [pool, Object.fromEntries(TASK_PRIORITIES.map((p) => [p, Math.max(0, depth[`${pool}:${p}`] ?? 0)]))]),
    );
    return {
      at: new Date(now).toISOString(),
      tasksPerMinute: Math.round((finishedLastFive / 5) * 10) / 10,
      finishedLastMinute: sum(buckets.slice(-1), 'COMPLETED') + sum(buckets.slice(-1), 'FAILED'),
      successRateLastHour: lastHour.completed + lastHour.failed === 0 ? null : lastHour.completed / (lastHour.completed + lastHour.failed),
      lastHour,
      queueDepth,
      delayed,
      states,
      runningPerWorker: Object.fromEntries(workers.map((w) => [w.workerId, { pool: w.pool, running: w.inflight.length, capacity: w.capacity }])),
    };
  }

  async forecast(lookaheadHours: number) {
    const now = Date.now();
    const until = now + lookaheadHours * 3600_000;
    const entries: ForecastEntry[] = [];

    const delayed = await this.tasks.delayedUntil(until, FORECAST_LIMIT);
    const records = await this.tasks.getMany(delayed.map((d) => d.id));
    delayed.forEach((d, i) => {
      const task = records[i];
      if (!task) return;
      entries.push({
        at: new Date(Math.max(d.dueMs, now)).toISOString(),
        kind: task.state === 'RETRYING' ? 'retry' : 'delayed-task',
        id: task.id,
        detail: `${task.type}${task.state === 'RETRYING' ? ` attempt ${task.attempt}` : ''}`,
        priority: task.priority,
      });
    });

    for (const schedule of await this.schedules.list()) {
      if (!schedule.enabled || !schedule.nextRunAt) continue;
      let slot = Date.parse(schedule.nextRunAt);
      const detail = schedule.target.kind === 'task' ? `task ${schedule.target.task.type}` : 'trigger (generation cycle)';
      for (let n = 0; slot <= until && n < FORECAST_LIMIT; n += 1) {
        entries.push({ at: new Date(Math.max(slot, now)).toISOString(), kind: 'schedule', id: schedule.id, detail });
        slot = nextSlotAfter(schedule.timing, schedule.anchorMs, slot);
      }
    }
    entries.sort((a, b) => a.at.localeCompare(b.at));
    const depth = await this.tasks.readyDepth();
    return {
      generatedAt: new Date(now).toISOString(),
      lookaheadHours,
      readyNow: Object.values(depth).reduce((a, b) => a + Math.max(0, b), 0),
      upcoming: entries.slice(0, FORECAST_LIMIT),
      truncated: entries.length > FORECAST_LIMIT,
    };
  }
}
