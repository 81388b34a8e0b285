import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { IllegalTransitionError } from '@autocode/contracts';
import type { Response } from 'express';
import { UNSAFE_JSON_TYPE } from './json-text-inspection';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/**
 * One error shape for every endpoint: `{ statusCode, error, message }`.
 * Errors may declare `httpStatus` (4xx) to be reported as that status.
 * Client mistakes are 4xx with a message that says what to fix; anything
 * else is a logged 500 that leaks no internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.describe(exception);
    if (status >= 500) this.logger.error({ msg: 'unhandled error', err: exception as Error });
    response.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const body = typeof raw === 'string' ? { statusCode: status, message: raw } : (raw as Record<string, unknown>);
      return { status, body: { statusCode: status, ...body } };
    }
    if (exception instanceof IllegalTransitionError) {
      return { status: 409, body: { statusCode: 409, error: 'Conflict', message: exception.message } };
    }
    // Domain errors say which client mistake they are without knowing about HTTP frameworks.
    const declared = (exception as { httpStatus?: unknown })?.httpStatus;
    if (typeof declared === 'number' && declared >= 400 && declared < 500) {
      const problems = (exception as { problems?: unknown }).problems;
      return {
        status: declared,
        body: { statusCode: declared, message: (exception as Error).message, ...(Array.isArray(problems) ? { problems } : {}) },
      };
    }
    const parserError = exception as BodyParserError;
    if (parserError?.type === UNSAFE_JSON_TYPE) {
      return { status: 400, body: { statusCode: 400, error: 'Bad Request', message: `unsafe JSON body: ${parserError.message}` } };
    }
    if (parserError?.type === 'entity.parse.failed') {
      return {
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: `malformed JSON body: ${parserError.message}` },
      };
    }
    if (parserError?.type === 'entity.too.large') {
      return { status: 413, body: { statusCode: 413, error: 'Payload Too Large', message: parserError.message } };
    }
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return { status: parserError.status, body: { statusCode: parserError.status, message: parserError.message } };
    }
    return { status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' } };
  }
}
