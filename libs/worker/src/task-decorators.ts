import { Logger } from '@nestjs/common';
import type { JsonValue } from '@autocode/contracts';
import type { MetricsWriter } from '@autocode/metrics';
import type { TaskContext, TaskHandler } from './task-handler';

/**
 * Cross-cutting behaviour wrapped around a task type's `run`, without the
 * task type knowing: decorators compose like middleware, outermost first.
 */
export type TaskDecorator = (handler: TaskHandler, next: TaskHandler['run']) => TaskHandler['run'];

export const DECORATOR_NAMES = ['timing', 'logging', 'metrics'] as const;
export type DecoratorName = (typeof DECORATOR_NAMES)[number];

/** Which decorators wrap which task types: a default list and per-type overrides. */
export interface DecoratorPolicy {
  default: DecoratorName[];
  perType: Record<string, DecoratorName[]>;
}

/**
 * Parses `timing,logging,metrics` (the default list) and
 * `noop=;sleep=timing` (overrides; an empty list turns them all off).
 */
export function parseDecoratorPolicy(defaults: string, overrides: string): DecoratorPolicy {
  const list = (value: string): DecoratorName[] =>
    value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)
      .map((v) => {
        if (!(DECORATOR_NAMES as readonly string[]).includes(v)) throw new Error(`unknown task decorator "${v}" (known: ${DECORATOR_NAMES.join(', ')})`);
        return v as DecoratorName;
      });
  const perType: Record<string, DecoratorName[]> = {};
  for (const entry of overrides.split(';').map((e) => e.trim()).filter(Boolean)) {
    const [type, names = ''] = entry.split('=');
    if (!type) throw new Error(`a decorator override needs a task type: "${entry}"`);
    perType[type.trim()] = list(names);
  }
  return { default: list(defaults), perType };
}

/**
 * Measures the run: the duration of a run of a second or more becomes its final progress report, and a
 * run that used more than 80 % of its time limit is logged as slow (a time
 * limit that is about to bite). Outputs are left as the type defines them.
 */
export function timingDecorator(logger = new Logger('task-timing')): TaskDecorator {
  return (handler, next) => async (params, context) => {
    const started = Date.now();
    const budget = context.deadline.getTime() - started;
    const output = await next(params, context);
    const durationMs = Date.now() - started;
    // Quick runs are already timed by their result's timestamps; a long one reports its duration.
    if (durationMs >= 1000) await context.progress(100, `finished in ${durationMs} ms`);
    if (budget > 0 && durationMs > budget * 0.8) {
      logger.warn({ msg: 'task used most of its time limit', taskId: context.taskId, type: handler.descriptor.name, durationMs, budgetMs: budget });
    }
    return output;
  };
}

/** A structured line when a task starts and when it ends (with its duration or error). */
export function loggingDecorator(logger = new Logger('task')): TaskDecorator {
  return (handler, next) => async (params, context) => {
    const fields = { taskId: context.taskId, attempt: context.attempt, type: handler.descriptor.name };
    const started = performance.now();
    logger.log({ msg: 'task started', ...fields });
    try {
      const output = await next(params, context);
      logger.log({ msg: 'task finished', ...fields, durationMs: Math.round(performance.now() - started) });
      return output;
    } catch (error) {
      logger.warn({ msg: 'task failed', ...fields, durationMs: Math.round(performance.now() - started), err: (error as Error).message });
      throw error;
    }
  };
}

/** A `task_execution` point per run: duration and outcome, tagged by type. */
export function metricsDecorator(metrics: MetricsWriter): TaskDecorator {
  return (handler, next) => async (params, context: TaskContext) => {
    const started = performance.now();
    let outcome = 'succeeded';
    try {
      return await next(params, context);
    } catch (error) {
      outcome = context.signal.aborted ? 'stopped' : 'failed';
      throw error;
    } finally {
      metrics.record('task_execution', { duration_ms: performance.now() - started, task_id: context.taskId, attempt: context.attempt }, { type: handler.descriptor.name, outcome });
    }
  };
}

/** Wraps `handler.run` in the decorators the policy gives its type; the first listed is outermost. */
export function decorate(handler: TaskHandler, policy: DecoratorPolicy, available: Record<DecoratorName, TaskDecorator>): TaskHandler {
  const names = policy.perType[handler.descriptor.name] ?? policy.default;
  let run = handler.run.bind(handler) as TaskHandler['run'];
  for (const name of [...names].reverse()) run = available[name](handler, run);
  return { descriptor: handler.descriptor, parse: handler.parse.bind(handler), run: run as (params: unknown, context: TaskContext) => Promise<JsonValue> };
}
