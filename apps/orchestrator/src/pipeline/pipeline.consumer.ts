import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  deploymentCompletedEvent,
  generationCompletedEvent,
  planningCompletedEvent,
  taskProgressEvent,
  validationCompletedEvent,
} from '@autocode/contracts';
import { ConsumerFactory } from '@autocode/messaging';
import { PipelineService } from './pipeline.service';

/** Reports from the planner and the workers, each on its own topic. */
@Injectable()
export class PipelineConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly pipeline: PipelineService,
  ) {}

  onModuleInit(): void {
    this.consumers
      .create({ groupId: 'orchestrator.pipeline', partitionsConsumedConcurrently: 4 })
      .on(planningCompletedEvent, ({ envelope }) => this.pipeline.onPlanningCompleted(envelope))
      .on(taskProgressEvent, ({ envelope }) => this.pipeline.onProgress(envelope.payload))
      .on(generationCompletedEvent, ({ envelope }) => this.pipeline.onGenerationCompleted(envelope.payload))
      .on(validationCompletedEvent, ({ envelope }) => this.pipeline.onValidationCompleted(envelope.payload))
      .on(deploymentCompletedEvent, ({ envelope }) => this.pipeline.onDeploymentCompleted(envelope.payload));
  }
}
