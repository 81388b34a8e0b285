import type { z } from 'zod';

/**
 * Turns a zod error into one line that names every offending field, e.g.
 * `payload.priority: Invalid option: expected one of "CRITICAL"|"HIGH"`.
 * Used for HTTP 400 bodies and dead-letter reasons alike.
 */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
