import type { Type } from '@nestjs/common';
import type { Role } from './roles';

/** How strictly the key guard treats routes that declare no role. */
export interface AuthOptions {
  /**
   * Secure by default: every route that declares no role needs at least this
   * one, unless it is `@Public()` or belongs to a public controller. Without
   * it, only `@Authorize`d routes are checked (the deployer's flag state is
   * polled by deployed services without a key).
   */
  defaultRole?: Role;
  /** Controllers from other libraries (health probes) that stay open without being decorated. */
  publicControllers?: Type[];
}

/** Injection token of the AuthOptions. */
export const AUTH_OPTIONS = Symbol('AuthOptions');
