import { runService } from '@autocode/runtime';
import { deployerModule } from './app.module';
import { deployerConfigSchema } from './config/deployer.config';

void runService({ name: 'deployer', configSchema: deployerConfigSchema, module: deployerModule });
