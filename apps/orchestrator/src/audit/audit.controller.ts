import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import { ApiZodQuery } from '../http/api-zod';
import { auditQuerySchema, type AuditEntry, type AuditQuery } from './audit.model';
import { AuditRepository } from './audit.repository';

@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  @Get()
  @Authorize('operator')
  @ApiOperation({ summary: 'Mutations made through the gateway (who, from where, what, outcome), newest first; filter by actor, route, method, outcome, time' })
  @ApiZodQuery(auditQuerySchema)
  list(@Query(new ZodValidationPipe(auditQuerySchema, 'query')) query: AuditQuery): Promise<{ items: AuditEntry[]; nextOffset: number | null }> {
    return this.audit.query(query);
  }
}
