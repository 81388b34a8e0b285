import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SCHEME } from '@autocode/auth';
import { gatewayPolicyFromEnv, runService } from '@autocode/runtime';
import { orchestratorModule } from './app.module';
import { AuditRecorder } from './audit/audit-recorder';
import { orchestratorConfigSchema } from './config/orchestrator.config';

void runService({
  name: 'orchestrator',
  configSchema: orchestratorConfigSchema,
  module: orchestratorModule,
  gateway: gatewayPolicyFromEnv,
  configureRequests: (app) => app.use(app.get(AuditRecorder).middleware()),
  configureHttp: (app) => {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Autocode orchestrator')
        .setDescription('Triggers, tasks, schedules, queues and workers of the Autocode mesh. Every route but /health needs an API key (viewer reads, operator acts, admin registers workflows).')
        .setVersion('1')
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME)
        .addSecurityRequirements(API_KEY_SCHEME)
        .build(),
    );
    // The docs are served outside Nest's router (no guard): they are read-only and name no secret.
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });
  },
});
