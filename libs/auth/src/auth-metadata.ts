/** Metadata key holding the role a handler (or controller) requires. */
export const REQUIRED_ROLE = Symbol('RequiredRole');

/** Metadata key marking a handler (or controller) as open to anonymous callers. */
export const PUBLIC_ROUTE = Symbol('PublicRoute');
