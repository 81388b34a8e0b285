import { type DynamicModule, Global, Module } from '@nestjs/common';
import { WorkerRuntime } from './worker-runtime';
import { WORKER_OPTIONS, type WorkerOptions } from './worker.options';

/** Makes a service a worker of one pool; its feature modules register task handlers with WorkerRuntime. */
@Global()
@Module({})
export class WorkerModule {
  static forRoot(options: WorkerOptions): DynamicModule {
    return {
      module: WorkerModule,
      providers: [{ provide: WORKER_OPTIONS, useValue: options }, WorkerRuntime],
      exports: [WorkerRuntime],
    };
  }
}
