import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRecorder } from './audit-recorder';
import { AuditRepository } from './audit.repository';

@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditRecorder],
  exports: [AuditRecorder],
})
export class AuditModule {}
