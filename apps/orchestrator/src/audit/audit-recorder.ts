import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '@autocode/auth';
import { outcomeOf, type AuditEntry } from './audit.model';
import { AuditRepository } from './audit.repository';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records every mutation once its response is sent, refused ones included
 * (a 401, 403, 415 or 429 is exactly what an audit is read for). It runs
 * ahead of every other middleware, so nothing answers a request unseen.
 */
@Injectable()
export class AuditRecorder {
  private readonly logger = new Logger(AuditRecorder.name);

  constructor(private readonly audit: AuditRepository) {}

  middleware() {
    return (request: Request, response: Response, next: NextFunction): void => {
      if (MUTATIONS.has(request.method)) {
        const at = new Date().toISOString();
        response.on('finish', () => this.record(request, response, at));
      }
      next();
    };
  }

  private record(request: Request, response: Response, at: string): void {
    const principal = (request as Request & { principal?: Principal }).principal;
    const path = request.path.slice(0, 200);
    const routePattern = (request.route as { path?: unknown } | undefined)?.path;
    const entry: AuditEntry = {
      id: randomUUID(),
      at,
      actor: principal?.name ?? 'anonymous',
      role: principal?.role ?? null,
      client: request.socket.remoteAddress ?? 'unknown',
      method: request.method,
      route: typeof routePattern === 'string' ? `${request.baseUrl}${routePattern}` : path,
      path,
      status: response.statusCode,
      outcome: outcomeOf(response.statusCode),
    };
    // The response is already sent: a failed write cannot fail the request, so it is logged with what was lost.
    this.audit.record(entry).catch((error: unknown) => this.logger.error({ msg: 'audit entry not stored', entry, err: error as Error }));
  }
}
