import { runService } from '@autocode/runtime';
import { validatorModule } from './app.module';
import { validatorConfigSchema } from './config/validator.config';

void runService({ name: 'validator', configSchema: validatorConfigSchema, module: validatorModule });
