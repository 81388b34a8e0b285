import { Module, type OnModuleInit } from '@nestjs/common';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { DeploymentService } from './deployment.service';

@Module({ providers: [DeploymentService] })
export class DeploymentModule implements OnModuleInit {
  constructor(
    private readonly worker: WorkerRuntime,
    private readonly deployments: DeploymentService,
  ) {}

  onModuleInit(): void {
    this.worker.register(builtInTaskHandler('deploy', (params, context) => this.deployments.deploy(params, context)));
  }
}
