import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ApiKeyConfigError, ApiKeyRing, parseApiKeysEnv, parseApiKeysFile } from './api-key-ring';

/**
 * Environment fields of a service that accepts API keys; add them to the
 * app's env schema. They are checked with the rest of the environment, so a
 * bad entry stops the service before it starts, naming the entry (never
 * the key).
 */
export const authEnvFields = {
  /** Comma-separated `name:role:key` (roles: viewer, operator, admin). */
  API_KEYS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value) reportProblems(() => parseApiKeysEnv(value), ctx);
    }),
  /** A YAML/JSON file with `keys: [{ name, role, sha256 | key }]`. */
  API_KEYS_FILE: z
    .string()
    .min(1)
    .optional()
    .superRefine((value, ctx) => {
      if (value) reportProblems(() => readKeysFile(value), ctx);
    }),
};

/** The keys named by the (validated) environment. */
export function apiKeysFromEnv(env: { API_KEYS?: string; API_KEYS_FILE?: string }): ApiKeyRing {
  const rings: ApiKeyRing[] = [];
  if (env.API_KEYS) rings.push(parseApiKeysEnv(env.API_KEYS));
  if (env.API_KEYS_FILE) rings.push(readKeysFile(env.API_KEYS_FILE));
  return rings.length ? ApiKeyRing.merge(...rings) : ApiKeyRing.empty();
}

function readKeysFile(path: string): ApiKeyRing {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ApiKeyConfigError([`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseApiKeysFile(text, path);
}

function reportProblems(parse: () => unknown, ctx: z.RefinementCtx): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof ApiKeyConfigError)) throw error;
    for (const problem of error.problems) ctx.addIssue({ code: 'custom', message: problem });
  }
}
