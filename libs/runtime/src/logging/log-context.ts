import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and every produced message inherits from the work in hand. */
export interface LogContext {
  correlationId?: string;
  causationId?: string;
  traceId?: string;
  spanId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}

export function runWithLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run({ ...currentLogContext(), ...context }, work);
}
