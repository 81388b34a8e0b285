import { z } from 'zod';
import { ApiKeyConfigError, ApiKeyRing, parseApiKeysEnv, parseApiKeysFile, sha256Hex } from './api-key-ring';
import { apiKeysFromEnv, authEnvFields } from './auth-env';
import { roleAllows } from './roles';

const KEY_A = 'a'.repeat(20);
const KEY_B = 'b-secret:with:colons-123';

describe('API key configuration', () => {
  it('parses name:role:key entries, keys may contain colons', () => {
    const ring = parseApiKeysEnv(`alice:operator:${KEY_A}, bot:viewer:${KEY_B}`);
    expect(ring.names).toEqual(['alice', 'bot']);
    expect(ring.authenticate(KEY_A)).toEqual({ name: 'alice', role: 'operator' });
    expect(ring.authenticate(KEY_B)).toEqual({ name: 'bot', role: 'viewer' });
    expect(ring.authenticate('c'.repeat(20))).toBeUndefined();
    expect(ring.authenticate('')).toBeUndefined();
  });

  it('names the bad entry and never echoes a key', () => {
    const attempt = () => parseApiKeysEnv(`alice:root:${KEY_A},bob:viewer:short-key,carol`);
    expect(attempt).toThrow(ApiKeyConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/API_KEYS\[0\] \(alice\)\.role/);
      expect(message).toMatch(/API_KEYS\[1\] \(bob\)\.key: too short/);
      expect(message).toMatch(/API_KEYS\[2\] \(carol\): expected name:role:key/);
      expect(message).not.toContain(KEY_A);
      expect(message).not.toContain('short-key');
    }
  });

  it('rejects duplicate names and a key listed twice', () => {
    expect(() => parseApiKeysEnv(`a:viewer:${KEY_A},a:admin:${KEY_B}`)).toThrow(/a: the name is used twice/);
    expect(() => parseApiKeysEnv(`a:viewer:${KEY_A},b:admin:${KEY_A}`)).toThrow(/b: the same key is listed under another name/);
  });

  it('reads YAML or JSON files holding keys or their SHA-256', () => {
    const yaml = `keys:\n  - name: ci\n    role: admin\n    sha256: ${sha256Hex(KEY_A)}\n  - name: ops\n    role: operator\n    key: ${KEY_B}\n`;
    const ring = parseApiKeysFile(yaml, 'keys.yaml');
    expect(ring.authenticate(KEY_A)).toEqual({ name: 'ci', role: 'admin' });
    expect(ring.authenticate(KEY_B)).toEqual({ name: 'ops', role: 'operator' });
    const json = JSON.stringify({ keys: [{ name: 'x', role: 'viewer', sha256: sha256Hex(KEY_B) }] });
    expect(parseApiKeysFile(json, 'keys.json').authenticate(KEY_B)).toEqual({ name: 'x', role: 'viewer' });
    expect(() => parseApiKeysFile('keys:\n  - name: bad\n    role: viewer\n', 'keys.yaml')).toThrow(/keys.yaml: keys\[0\] \(bad\): needs name, role/);
    expect(() => parseApiKeysFile('just text', 'keys.yaml')).toThrow(/expected an object with a "keys" list/);
  });

  it('merges env and file keys, refusing a name in both', () => {
    const merged = ApiKeyRing.merge(parseApiKeysEnv(`a:viewer:${KEY_A}`), parseApiKeysEnv(`b:admin:${KEY_B}`));
    expect(merged.size).toBe(2);
    expect(() => ApiKeyRing.merge(parseApiKeysEnv(`a:viewer:${KEY_A}`), parseApiKeysEnv(`a:admin:${KEY_B}`))).toThrow(/used twice/);
  });

  it('orders roles viewer < operator < admin', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('operator', 'admin')).toBe(false);
  });
});

describe('authEnvFields', () => {
  const schema = z.object(authEnvFields);

  it('rejects a bad entry while the environment is checked, without the key', () => {
    const result = schema.safeParse({ API_KEYS: `ops:superuser:${KEY_A}` });
    expect(result.success).toBe(false);
    const text = JSON.stringify(result.error?.issues);
    expect(text).toMatch(/API_KEYS\[0\] \(ops\)\.role/);
    expect(text).not.toContain(KEY_A);
    expect(schema.safeParse({ API_KEYS_FILE: '/nonexistent/keys.yaml' }).error?.issues[0].message).toMatch(/cannot read \/nonexistent\/keys.yaml \(ENOENT\)/);
  });

  it('builds the ring from valid variables', () => {
    const env = schema.parse({ API_KEYS: `ops:operator:${KEY_A}` });
    expect(apiKeysFromEnv(env).authenticate(KEY_A)).toEqual({ name: 'ops', role: 'operator' });
    expect(apiKeysFromEnv({}).size).toBe(0);
  });
});
