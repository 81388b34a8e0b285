import { BUILT_IN_TASK_TYPES, type BuiltInTaskTypeName } from '@autocode/contracts';
import type { z } from 'zod';
import type { TaskContext, TaskHandler } from './task-handler';
import { defineTaskHandler } from './zod-task-handler';

type Params<N extends BuiltInTaskTypeName> = z.infer<(typeof BUILT_IN_TASK_TYPES)[N]['params']>;
type Output<N extends BuiltInTaskTypeName> = z.infer<(typeof BUILT_IN_TASK_TYPES)[N]['output']>;

/** A handler for a built-in task type: name, schemas and defaults come from the contracts. */
export function builtInTaskHandler<N extends BuiltInTaskTypeName>(
  name: N,
  run: (params: Params<N>, context: TaskContext) => Promise<Output<N>>,
): TaskHandler<Params<N>, Output<N>> {
  const type = BUILT_IN_TASK_TYPES[name];
  return defineTaskHandler({
    name,
    displayName: type.displayName,
    description: type.description,
    category: type.category,
    params: type.params,
    output: type.output,
    timeLimitSeconds: type.defaults.timeLimitSeconds,
    retry: { ...type.defaults.retry },
    run: run as never,
  }) as TaskHandler<Params<N>, Output<N>>;
}
