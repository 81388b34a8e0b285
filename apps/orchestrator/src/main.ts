import { runService } from '@autocode/runtime';
import { orchestratorModule } from './app.module';
import { orchestratorConfigSchema } from './config/orchestrator.config';

void runService({ name: 'orchestrator', configSchema: orchestratorConfigSchema, module: orchestratorModule });
