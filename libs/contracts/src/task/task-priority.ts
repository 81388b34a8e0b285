import { z } from 'zod';

/** Highest first; the index is the dispatch rank. */
export const TASK_PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'BACKGROUND'] as const;

export const taskPrioritySchema = z.enum(TASK_PRIORITIES);
export type TaskPriority = z.infer<typeof taskPrioritySchema>;

export function priorityRank(priority: TaskPriority): number {
  return TASK_PRIORITIES.indexOf(priority);
}
