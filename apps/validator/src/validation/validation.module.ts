import { Module, type OnModuleInit } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { ValidationService } from './validation.service';

@Module({ providers: [{ provide: GitClient, useFactory: () => new GitClient() }, ValidationService] })
export class ValidationModule implements OnModuleInit {
  constructor(
    private readonly worker: WorkerRuntime,
    private readonly validation: ValidationService,
  ) {}

  onModuleInit(): void {
    this.worker.register(builtInTaskHandler('validate', (params, context) => this.validation.validate(params, context)));
  }
}
