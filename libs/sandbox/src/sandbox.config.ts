import { z } from 'zod';

/**
 * How repository code is isolated, one definition for every service that
 * runs it (generation node, validator, planner):
 * - `auto` (default): bubblewrap when it works on this host; when it does
 *   not, every run is refused (readiness: sandbox `down`);
 * - `bubblewrap`: bubblewrap or the service refuses to start;
 * - `rlimits`: bubblewrap is not used, so runs are refused (readiness `down`);
 * - `unsafe-rlimits`: runs WITHOUT an OS sandbox — resource limits and a
 *   scrubbed environment only; repository code can read the host's files
 *   and reach its network. For development hosts without bubblewrap; the
 *   service logs it loudly and readiness reports the sandbox `degraded`.
 */
export const SANDBOX_MODES = ['auto', 'bubblewrap', 'rlimits', 'unsafe-rlimits'] as const;

export const sandboxEnvFields = {
  SANDBOX_MODE: z.enum(SANDBOX_MODES).default('auto'),
};
