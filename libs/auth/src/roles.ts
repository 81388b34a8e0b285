import { z } from 'zod';

/** Each role includes the ones before it: an operator may view, an admin may operate. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Who made a request: the key's name (never the key) and its role. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}
