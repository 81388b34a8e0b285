import { Module } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import { ValidationConsumer } from './validation.consumer';
import { ValidationService } from './validation.service';

@Module({ providers: [{ provide: GitClient, useFactory: () => new GitClient() }, ValidationService, ValidationConsumer] })
export class ValidationModule {}
