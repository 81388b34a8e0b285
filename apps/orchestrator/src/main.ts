import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { runService } from '@autocode/runtime';
import { orchestratorModule } from './app.module';
import { orchestratorConfigSchema } from './config/orchestrator.config';

void runService({
  name: 'orchestrator',
  configSchema: orchestratorConfigSchema,
  module: orchestratorModule,
  configureHttp: (app) => {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Autocode orchestrator')
        .setDescription('Triggers, tasks, schedules, queues and workers of the Autocode mesh.')
        .setVersion('1')
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });
  },
});
