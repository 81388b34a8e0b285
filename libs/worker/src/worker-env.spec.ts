import { randomBytes } from 'node:crypto';
import { baseEnvSchema, loadConfig } from '@autocode/runtime';
import { workerEnvFields, workerOptionsFrom } from './worker-env';

const schema = baseEnvSchema.extend(workerEnvFields);

describe('worker environment', () => {
  it('requires a mesh secret of at least 32 characters, naming the variable and never echoing its value', () => {
    expect(() => loadConfig('some-worker', schema, {})).toThrow(/MESH_SECRET: is required/);
    expect(() => loadConfig('some-worker', schema, { MESH_SECRET: 'too-short-to-sign-with' })).toThrow(/MESH_SECRET: must be at least 32 characters$/m);
    expect(() => loadConfig('some-worker', schema, { MESH_SECRET: 'too-short-to-sign-with' })).not.toThrow(/too-short-to-sign-with/);
  });

  it('hands the secret to the worker runtime', () => {
    const secret = randomBytes(32).toString('base64url');
    expect(workerOptionsFrom('generation', loadConfig('some-worker', schema, { MESH_SECRET: secret })).meshSecret).toBe(secret);
  });
});
