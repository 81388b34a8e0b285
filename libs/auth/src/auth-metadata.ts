/** Metadata key holding the role a handler (or controller) requires. */
export const REQUIRED_ROLE = Symbol('RequiredRole');
