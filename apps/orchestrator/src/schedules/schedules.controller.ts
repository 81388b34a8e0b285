import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '@autocode/auth';
import { ZodValidationPipe } from '@autocode/runtime';
import { ApiZodBody } from '../http/api-zod';
import { createScheduleSchema, scheduleIdSchema, updateScheduleSchema, type CreateSchedule, type ScheduleStatus, type UpdateSchedule } from './schedule.model';
import { ScheduleService } from './schedule.service';

@ApiTags('schedules')
@Authorize('viewer')
@Controller('api/schedules')
export class SchedulesController {
  constructor(private readonly schedules: ScheduleService) {}

  @Post()
  @Authorize('operator')
  @ApiOperation({ summary: 'Create an interval or cron schedule that creates a task or fires a trigger' })
  @ApiZodBody(createScheduleSchema)
  create(@Body(new ZodValidationPipe(createScheduleSchema)) body: CreateSchedule): Promise<ScheduleStatus> {
    return this.schedules.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'Every schedule with last run, next run and seconds until next' })
  async list(): Promise<{ items: ScheduleStatus[] }> {
    return { items: await this.schedules.list() };
  }

  @Get(':id')
  get(@Param('id', new ZodValidationPipe(scheduleIdSchema, 'id')) id: string): Promise<ScheduleStatus> {
    return this.schedules.get(id);
  }

  @Patch(':id')
  @Authorize('operator')
  @ApiOperation({ summary: 'Change a schedule (re-time, retarget, catch-up policy); takes effect at once' })
  @ApiZodBody(updateScheduleSchema)
  update(
    @Param('id', new ZodValidationPipe(scheduleIdSchema, 'id')) id: string,
    @Body(new ZodValidationPipe(updateScheduleSchema)) body: UpdateSchedule,
  ): Promise<ScheduleStatus> {
    return this.schedules.update(id, body);
  }

  @Post(':id/enable')
  @Authorize('operator')
  @HttpCode(200)
  enable(@Param('id', new ZodValidationPipe(scheduleIdSchema, 'id')) id: string): Promise<ScheduleStatus> {
    return this.schedules.update(id, { enabled: true });
  }

  @Post(':id/disable')
  @Authorize('operator')
  @HttpCode(200)
  disable(@Param('id', new ZodValidationPipe(scheduleIdSchema, 'id')) id: string): Promise<ScheduleStatus> {
    return this.schedules.update(id, { enabled: false });
  }

  @Delete(':id')
  @Authorize('operator')
  @HttpCode(204)
  async remove(@Param('id', new ZodValidationPipe(scheduleIdSchema, 'id')) id: string): Promise<void> {
    await this.schedules.remove(id);
  }
}
