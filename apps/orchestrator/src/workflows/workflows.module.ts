import { Module } from '@nestjs/common';
import { KnowledgeModule } from '@autocode/knowledge';
import { TaskCoreModule } from '../tasks/task-core.module';
import { KnowledgeRecorder } from './knowledge-recorder.service';
import { WorkflowDefinitionsService } from './workflow-definitions.service';
import { WorkflowEngine } from './workflow-engine.service';
import { WorkflowEventsConsumer } from './workflow-events.consumer';
import { WorkflowRepository } from './workflow.repository';
import { WorkflowsController } from './workflows.controller';

@Module({
  imports: [TaskCoreModule, KnowledgeModule],
  controllers: [WorkflowsController],
  providers: [WorkflowRepository, WorkflowDefinitionsService, WorkflowEngine, WorkflowEventsConsumer, KnowledgeRecorder],
  exports: [WorkflowEngine, WorkflowDefinitionsService],
})
export class WorkflowsModule {}
