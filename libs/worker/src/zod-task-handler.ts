import { z } from 'zod';
import type { JsonValue, RetryPolicy, TaskTypeDescriptor } from '@autocode/contracts';
import { describeIssues } from '@autocode/contracts';
import type { TaskContext, TaskHandler } from './task-handler';

export interface ZodTaskDefinition<P extends z.ZodType, O extends z.ZodType<JsonValue>> {
  name: string;
  displayName: string;
  description: string;
  category: string;
  params: P;
  output?: O;
  timeLimitSeconds: number;
  retry: RetryPolicy;
  run(params: z.infer<P>, context: TaskContext): Promise<z.infer<O>>;
}

/**
 * A task handler whose params (and output) are zod schemas: the JSON Schema
 * announced to the orchestrator is derived from the same schema the worker
 * parses with, so the two cannot drift.
 */
export function defineTaskHandler<P extends z.ZodType, O extends z.ZodType<JsonValue>>(
  definition: ZodTaskDefinition<P, O>,
): TaskHandler<z.infer<P>, z.infer<O>> {
  const descriptor: Omit<TaskTypeDescriptor, 'pool'> = {
    name: definition.name,
    displayName: definition.displayName,
    description: definition.description,
    category: definition.category,
    paramsSchema: toJsonSchema(definition.params),
    ...(definition.output ? { outputSchema: toJsonSchema(definition.output) } : {}),
    defaults: { timeLimitSeconds: definition.timeLimitSeconds, retry: definition.retry },
  };
  return {
    descriptor,
    parse: (params) => {
      const parsed = definition.params.safeParse(params);
      if (!parsed.success) throw new Error(describeIssues(parsed.error, 'params'));
      return parsed.data;
    },
    run: async (params, context) => {
      const output = await definition.run(params, context);
      return definition.output ? definition.output.parse(output) : output;
    },
  };
}

function toJsonSchema(schema: z.ZodType): Record<string, JsonValue> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, JsonValue>;
}
