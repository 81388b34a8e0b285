import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { triggerRequestedPayloadSchema } from '@autocode/contracts';
import { Authorize, CurrentPrincipal, type Principal } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import type { TriggerReceipt, TriggerRecord } from './trigger.model';
import { TriggerRepository } from './trigger.repository';
import { TriggerService } from './trigger.service';

/** The REST body is the public trigger payload without `source`, which is always "api" here. */
const restTriggerSchema = triggerRequestedPayloadSchema.omit({ source: true });

const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const triggerIdSchema = z.string().regex(/^trg_[A-Za-z0-9_-]{6,64}$/, 'must be a trigger id like "trg_…"');

@Authorize('viewer')
@Controller('api')
export class TriggerController {
  constructor(
    private readonly service: TriggerService,
    private readonly triggers: TriggerRepository,
  ) {}

  @Post('trigger-generation')
  @Authorize('operator')
  @HttpCode(202)
  async trigger(
    @Body(new ZodValidationPipe(restTriggerSchema.default({}))) body: z.infer<typeof restTriggerSchema>,
    @CurrentPrincipal() who: Principal,
  ): Promise<TriggerReceipt> {
    return this.service.receive({ ...body, source: 'api' }, { actor: who.name });
  }

  @Get('triggers')
  async list(
    @Query(new ZodValidationPipe(listQuerySchema, 'query')) query: z.infer<typeof listQuerySchema>,
  ): Promise<{ items: TriggerRecord[]; total: number }> {
    const { ids, total } = await this.triggers.listIds(query.offset, query.limit);
    const items = (await Promise.all(ids.map((id) => this.triggers.get(id)))).filter((t): t is TriggerRecord => t !== null);
    return { items, total };
  }

  @Get('triggers/:id')
  async get(@Param('id', new ZodValidationPipe(triggerIdSchema, 'id')) id: string): Promise<TriggerRecord> {
    const trigger = await this.service.get(id);
    if (!trigger) throw new NotFoundException(`trigger ${id} not found`);
    return trigger;
  }
}
