import type { LoggerService } from '@nestjs/common';
import pino, { type Logger as PinoLogger } from 'pino';
import { currentLogContext } from './log-context';

/** Keys whose values never reach a log line, at any depth. */
const REDACTED_PATHS = [
  '*.password',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
];

export type Logger = PinoLogger;

export function createLogger(service: string, instanceId: string, level: string): Logger {
  return pino({
    level,
    base: { service, instance: instanceId },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    // Correlation ids ride along with the async context of the work in hand.
    mixin: () => {
      const context = currentLogContext();
      return context.correlationId ? { ...context } : {};
    },
  });
}

/** Adapts pino to Nest's LoggerService so framework logs are JSON too. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    // Nest passes the context (class name) last, and a stack before it for errors.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? (rest[0] as string) : undefined;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...(message as object) });
    } else {
      this.logger[level]({ context, ...(stack && level === 'error' ? { stack } : {}) }, String(message));
    }
  }
}
