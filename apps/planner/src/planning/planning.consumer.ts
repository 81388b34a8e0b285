import { Injectable, type OnModuleInit } from '@nestjs/common';
import { planningRequestedEvent } from '@autocode/contracts';
import { ConsumerFactory } from '@autocode/messaging';
import { PlannerService } from './planner.service';

@Injectable()
export class PlanningConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly planner: PlannerService,
  ) {}

  onModuleInit(): void {
    this.consumers.create({ groupId: 'planner' }).on(planningRequestedEvent, ({ envelope }) => this.planner.plan(envelope));
  }
}
