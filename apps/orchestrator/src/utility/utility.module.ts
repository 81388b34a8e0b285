import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpClient, HttpModule, WebhookClient } from '@autocode/http';
import type { JsonValue } from '@autocode/contracts';
import { WorkerRuntime, type TaskHandler } from '@autocode/worker';
import { delayTask, httpRequestTask, notifyTask } from './utility-task-types';

/**
 * The orchestrator is also the worker of the `utility` pool: delays, HTTP
 * requests and webhook notifications that workflows use between the steps
 * the other services run. They are tasks like any other (queued,
 * prioritised, retried, timed out).
 */
@Module({ imports: [HttpModule] })
export class UtilityModule implements OnModuleInit {
  constructor(
    private readonly worker: WorkerRuntime,
    private readonly http: HttpClient,
    private readonly webhooks: WebhookClient,
  ) {}

  onModuleInit(): void {
    for (const handler of [delayTask, httpRequestTask(this.http), notifyTask(this.webhooks)]) {
      this.worker.register(handler as TaskHandler<unknown, JsonValue>);
    }
  }
}
