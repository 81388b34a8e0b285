import type { JsonValue } from '@autocode/contracts';
import { decorate, parseDecoratorPolicy, type TaskDecorator } from './task-decorators';
import type { TaskContext, TaskHandler } from './task-handler';

const handler = (name: string): TaskHandler => ({
  descriptor: { name, displayName: name, description: '', category: 'test', paramsSchema: {}, defaults: { timeLimitSeconds: 1, retry: { maxRetries: 0, initialDelayMs: 0, factor: 1, maxDelayMs: 0, jitter: false } } },
  parse: (p) => p,
  run: async () => ({ ran: name }),
});

/** Records the order in which decorators wrap a run. */
const tracing = (label: string, trace: string[]): TaskDecorator => (_h, next) => async (params, context) => {
  trace.push(`${label}>`);
  const output = await next(params, context);
  trace.push(`<${label}`);
  return output;
};

describe('task decorators', () => {
  it('parses the default list and per-type overrides, and refuses unknown names', () => {
    expect(parseDecoratorPolicy('timing, logging', 'noop=;sleep=metrics')).toEqual({
      default: ['timing', 'logging'],
      perType: { noop: [], sleep: ['metrics'] },
    });
    expect(() => parseDecoratorPolicy('timing,tracing', '')).toThrow('unknown task decorator "tracing"');
  });

  it('wraps in the listed order, outermost first, per type, without changing the output', async () => {
    const trace: string[] = [];
    const available = { timing: tracing('timing', trace), logging: tracing('logging', trace), metrics: tracing('metrics', trace) };
    const policy = parseDecoratorPolicy('logging,metrics', 'quiet=');
    const context = {} as TaskContext;

    const loud = decorate(handler('loud'), policy, available);
    expect(await loud.run({}, context)).toEqual({ ran: 'loud' } satisfies JsonValue);
    expect(trace).toEqual(['logging>', 'metrics>', '<metrics', '<logging']);

    trace.length = 0;
    const quiet = decorate(handler('quiet'), policy, available);
    expect(await quiet.run({}, context)).toEqual({ ran: 'quiet' });
    expect(trace).toEqual([]);
  });
});
