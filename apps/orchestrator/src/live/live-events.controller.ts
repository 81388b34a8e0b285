import { Controller, Query, Sse, type MessageEvent } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { filter, from, interval, map, merge, type Observable } from 'rxjs';
import { z } from 'zod';
import { taskIdSchema } from '@autocode/contracts';
import { Authorize } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import { ApiZodQuery } from '../http/api-zod';
import { LiveEventsService } from './live-events.service';

const streamQuerySchema = z.strictObject({
  taskId: taskIdSchema.optional(),
  /** A task's correlation: all tasks of one trigger, say. */
  correlationId: z.string().min(1).max(200).optional(),
  kinds: z
    .string()
    .regex(/^(lifecycle|progress)(,(lifecycle|progress))*$/, 'must be "lifecycle", "progress" or both, comma-separated')
    .default('lifecycle,progress'),
});

@ApiTags('live')
@Authorize('viewer')
@Controller('api/events')
export class LiveEventsController {
  constructor(private readonly live: LiveEventsService) {}

  @Sse()
  @ApiOperation({ summary: 'Server-sent events: task lifecycle transitions and progress, optionally for one task or correlation' })
  @ApiZodQuery(streamQuerySchema)
  stream(@Query(new ZodValidationPipe(streamQuerySchema, 'query')) query: z.infer<typeof streamQuerySchema>): Observable<MessageEvent> {
    const kinds = new Set(query.kinds.split(','));
    const events = this.live.events.pipe(
      filter((e) => kinds.has(e.kind)),
      filter((e) => !query.taskId || e.data.taskId === query.taskId),
      filter((e) => !query.correlationId || e.correlationId === query.correlationId || e.data.taskId === query.correlationId),
      map((e): MessageEvent => ({ type: e.kind, data: e.data })),
    );
    // Tells the client from when on nothing is missed; then a keep-alive so proxies keep the stream open.
    const ready = from(this.live.ready()).pipe(map((): MessageEvent => ({ type: 'ready', data: { at: new Date().toISOString() } })));
    const keepAlive = interval(15_000).pipe(map((): MessageEvent => ({ type: 'ping', data: {} })));
    return merge(events, ready, keepAlive);
  }
}
