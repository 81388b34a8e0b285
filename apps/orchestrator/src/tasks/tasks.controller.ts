import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import { taskIdSchema, type TaskTransition } from '@autocode/contracts';
import { ZodValidationPipe } from '@autocode/runtime';
import { TaskNotFoundError, type TaskRecord } from './task.model';
import { TaskLifecycleService } from './task-lifecycle.service';
import { TaskRepository } from './task.repository';

const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

@Controller('api/tasks')
export class TasksController {
  constructor(
    private readonly lifecycle: TaskLifecycleService,
    private readonly tasks: TaskRepository,
  ) {}

  @Get()
  async list(
    @Query(new ZodValidationPipe(listQuerySchema, 'query')) query: z.infer<typeof listQuerySchema>,
  ): Promise<{ items: TaskRecord[]; total: number; limit: number; offset: number }> {
    const { ids, total } = await this.tasks.listIds(query.offset, query.limit);
    const items = (await Promise.all(ids.map((id) => this.tasks.get(id)))).filter((t): t is TaskRecord => t !== null);
    return { items, total, limit: query.limit, offset: query.offset };
  }

  @Get(':id')
  async get(
    @Param('id', new ZodValidationPipe(taskIdSchema, 'id')) id: string,
  ): Promise<TaskRecord & { history: TaskTransition[] }> {
    try {
      const task = await this.lifecycle.get(id);
      return { ...task, history: await this.lifecycle.history(id) };
    } catch (error) {
      if (error instanceof TaskNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
