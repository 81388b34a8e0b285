import { Module } from '@nestjs/common';
import { KnowledgeBase } from './knowledge-base.repository';
import { OpportunityMemory } from './opportunity-memory.repository';

/** Provides `KnowledgeBase` and `OpportunityMemory` on the service's Redis (from `PlatformModule`). */
@Module({
  providers: [KnowledgeBase, OpportunityMemory],
  exports: [KnowledgeBase, OpportunityMemory],
})
export class KnowledgeModule {}
