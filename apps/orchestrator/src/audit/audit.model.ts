import { z } from 'zod';
import type { Role } from '@autocode/auth';

/** One mutation that reached the REST gateway, whether it was carried out or refused. */
export interface AuditEntry {
  id: string;
  at: string;
  /** The API key's name, or "anonymous" when no valid key came with the request. */
  actor: string;
  role: Role | null;
  /** The client's socket address (no proxy header is trusted). */
  client: string;
  method: string;
  /** The route pattern (`/api/tasks/:id/cancel`), or the path when no route matched. */
  route: string;
  path: string;
  status: number;
  outcome: 'succeeded' | 'refused' | 'failed';
}

export function outcomeOf(status: number): AuditEntry['outcome'] {
  if (status < 400) return 'succeeded';
  return status < 500 ? 'refused' : 'failed';
}

export const auditQuerySchema = z.strictObject({
  actor: z.string().min(1).max(100).optional(),
  /** A route pattern or path prefix, e.g. `/api/tasks`. */
  route: z.string().min(1).max(200).optional(),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).optional(),
  outcome: z.enum(['succeeded', 'refused', 'failed']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
