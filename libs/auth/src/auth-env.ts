import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ApiKeyConfigError, ApiKeyRing, parseApiKeysEnv, parseApiKeysFile } from './api-key-ring';

/** Environment fields of a service that accepts API keys; add them to the app's env schema. */
export const authEnvFields = {
  /** Comma-separated `name:role:key` (roles: viewer, operator, admin). */
  API_KEYS: z.string().optional(),
  /** A YAML/JSON file with `keys: [{ name, role, sha256 | key }]`. */
  API_KEYS_FILE: z.string().min(1).optional(),
};

/** Reads the keys named by the environment; throws ApiKeyConfigError naming the bad entry (never the key). */
export function apiKeysFromEnv(env: { API_KEYS?: string; API_KEYS_FILE?: string }): ApiKeyRing {
  const rings: ApiKeyRing[] = [];
  if (env.API_KEYS) rings.push(parseApiKeysEnv(env.API_KEYS));
  if (env.API_KEYS_FILE) {
    let text: string;
    try {
      text = readFileSync(env.API_KEYS_FILE, 'utf8');
    } catch (error) {
      throw new ApiKeyConfigError([`API_KEYS_FILE: cannot read ${env.API_KEYS_FILE} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
    rings.push(parseApiKeysFile(text, `API_KEYS_FILE ${env.API_KEYS_FILE}`));
  }
  return rings.length ? ApiKeyRing.merge(...rings) : ApiKeyRing.empty();
}
