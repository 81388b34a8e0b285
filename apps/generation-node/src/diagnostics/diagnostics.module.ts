import { Module, type OnModuleInit } from '@nestjs/common';
import { WorkerRuntime } from '@autocode/worker';
import { noopTask, sleepTask } from './diagnostic-task-types';

/** Diagnostic task types (no-op, sleep) for benchmarks and failure drills, like Celery's ping. */
@Module({})
export class DiagnosticsModule implements OnModuleInit {
  constructor(private readonly worker: WorkerRuntime) {}

  onModuleInit(): void {
    this.worker.register(noopTask);
    this.worker.register(sleepTask);
  }
}
