import { Module } from '@nestjs/common';
import { TaskCoreModule } from '../tasks/task-core.module';
import { LiveEventsController } from './live-events.controller';
import { LiveEventsService } from './live-events.service';

@Module({ imports: [TaskCoreModule], controllers: [LiveEventsController], providers: [LiveEventsService] })
export class LiveModule {}
