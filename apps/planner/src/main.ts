import { runService } from '@autocode/runtime';
import { plannerModule } from './app.module';
import { plannerConfigSchema } from './config/planner.config';

void runService({ name: 'planner', configSchema: plannerConfigSchema, module: plannerModule });
