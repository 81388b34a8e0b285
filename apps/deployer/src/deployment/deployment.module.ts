import { Module } from '@nestjs/common';
import { DeploymentConsumer } from './deployment.consumer';
import { DeploymentService } from './deployment.service';

@Module({ providers: [DeploymentService, DeploymentConsumer] })
export class DeploymentModule {}
