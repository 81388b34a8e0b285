import { runService } from '@autocode/runtime';
import { generationNodeModule } from './app.module';
import { generationNodeConfigSchema } from './config/generation-node.config';

void runService({ name: 'generation-node', configSchema: generationNodeConfigSchema, module: generationNodeModule });
