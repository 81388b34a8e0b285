import { randomBytes } from 'node:crypto';

/**
 * API keys for test meshes, made afresh each time this module loads (never
 * a literal secret): one per role, under the names the audit trail shows.
 */
export const TEST_API_KEYS = {
  admin: randomBytes(24).toString('base64url'),
  operator: randomBytes(24).toString('base64url'),
  viewer: randomBytes(24).toString('base64url'),
} as const;

export type TestRole = keyof typeof TEST_API_KEYS;

/** The key names as services know them (`test-admin`, …). */
export const TEST_KEY_NAMES: Record<TestRole, string> = { admin: 'test-admin', operator: 'test-operator', viewer: 'test-viewer' };

/** `API_KEYS` holding the three test keys. */
export function testApiKeysEnv(): string {
  return (Object.keys(TEST_API_KEYS) as TestRole[]).map((role) => `${TEST_KEY_NAMES[role]}:${role}:${TEST_API_KEYS[role]}`).join(',');
}

/** Headers that authenticate a raw fetch against a test mesh's gateway. */
export function testAuthHeaders(role: TestRole = 'admin'): Record<string, string> {
  return { 'x-api-key': TEST_API_KEYS[role] };
}
