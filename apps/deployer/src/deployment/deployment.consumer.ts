import { Injectable, type OnModuleInit } from '@nestjs/common';
import { deploymentRequestedEvent } from '@autocode/contracts';
import { ConsumerFactory } from '@autocode/messaging';
import { DeploymentService } from './deployment.service';

@Injectable()
export class DeploymentConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly deployments: DeploymentService,
  ) {}

  onModuleInit(): void {
    this.consumers.create({ groupId: 'deployer' }).on(deploymentRequestedEvent, ({ envelope }) => this.deployments.deploy(envelope));
  }
}
