import { randomBytes } from 'node:crypto';

/** Sortable-enough, URL-safe ids with a type prefix, e.g. `tsk_m3k9…`. */
export function newId(prefix: 'tsk' | 'trg' | 'dep' | 'run'): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(6).toString('base64url')}`;
}
