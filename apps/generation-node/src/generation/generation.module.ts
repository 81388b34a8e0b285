import { Module } from '@nestjs/common';
import { GenerationConsumer } from './generation.consumer';
import { GenerationService } from './generation.service';

@Module({ providers: [GenerationService, GenerationConsumer] })
export class GenerationModule {}
