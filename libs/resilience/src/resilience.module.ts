import { Global, Module } from '@nestjs/common';
import { BreakerRegistry } from './breaker-registry';
import { BreakersHealthIndicator } from './breakers.health';

@Global()
@Module({
  providers: [BreakerRegistry, BreakersHealthIndicator],
  exports: [BreakerRegistry],
})
export class ResilienceModule {}
