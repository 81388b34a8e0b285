import { z } from 'zod';

/** Where in the improvement pipeline a running task is. */
export const TASK_STAGES = ['generation', 'validation', 'deployment'] as const;
export const taskStageSchema = z.enum(TASK_STAGES);
export type TaskStage = z.infer<typeof taskStageSchema>;
