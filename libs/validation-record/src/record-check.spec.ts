import { randomBytes } from 'node:crypto';
import { checkValidationRecord, type ExpectedPatch } from './record-check';
import { patchSha256, repositoryIdentity } from './patch-hash';
import { signRecord, type UnsignedValidationRecord } from './validation-record';

const diff = 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n';
const expected: ExpectedPatch = { patchSha256: patchSha256(diff), repository: '/srv/repo', baseCommit: 'a'.repeat(40) };
const record = (over: Partial<UnsignedValidationRecord> = {}): UnsignedValidationRecord => ({
  version: 1,
  patchSha256: expected.patchSha256,
  repository: expected.repository,
  baseCommit: expected.baseCommit,
  verdict: 'passed',
  stages: [
    { name: 'protected-paths', status: 'passed', required: true, durationMs: 1, summary: 'ok', findings: [] },
    { name: 'security', status: 'passed', required: true, durationMs: 3, summary: 'ok', findings: [] },
  ],
  validator: { instance: 'validator-1', taskId: 'tsk_1' },
  validatedAt: new Date().toISOString(),
  ...over,
});
const PREFIX = `no passing validation record for patch sha256:${expected.patchSha256}`;

describe('checkValidationRecord', () => {
  it('accepts a passing record for the same patch, repository and base', () => {
    expect(checkValidationRecord(record(), expected)).toMatchObject({ ok: true, record: { verdict: 'passed' } });
  });

  it.each<[string, unknown, RegExp]>([
    ['no record', null, /no validator has recorded a validation of these exact bytes/],
    ['a malformed record', { verdict: 'passed' }, /the stored record is malformed/],
    ['a failed verdict', record({ verdict: 'failed', stages: [{ name: 'protected-paths', status: 'failed', required: true, durationMs: 1, summary: 'x', findings: [] }] }), /validation failed \(protected-paths failed\) by validator-1/],
    ['another patch', record({ patchSha256: patchSha256('other') }), /another patch/],
    ['another repository', record({ repository: '/elsewhere' }), /another repository/],
    ['another base', record({ baseCommit: 'b'.repeat(40) }), /another base commit/],
    ['a pass with a required stage short of passed', record({ stages: [{ name: 'unit-tests', status: 'skipped', required: true, durationMs: 0, summary: '', findings: [] }] }), /required stage unit-tests is skipped/],
    ['a pass whose validator never checked protected paths', record({ stages: [{ name: 'security', status: 'passed', required: true, durationMs: 3, summary: 'ok', findings: [] }] }), /no passed protected-paths stage/],
  ])('refuses %s, saying so', (_what, stored, why) => {
    const check = checkValidationRecord(stored, expected);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.reason.startsWith(PREFIX)).toBe(true);
      expect(check.reason).toMatch(why);
    }
  });

  it('with the mesh secret, accepts only records signed with it', () => {
    const secret = randomBytes(16).toString('hex');
    expect(checkValidationRecord(signRecord(record(), secret), expected, secret).ok).toBe(true);
    expect(checkValidationRecord(record(), expected, secret)).toMatchObject({ ok: false, reason: expect.stringMatching(/carries no MAC/) });
    expect(checkValidationRecord(signRecord(record(), 'another secret'), expected, secret)).toMatchObject({ ok: false, reason: expect.stringMatching(/MAC does not verify/) });
    // A signed failed record turned into a pass no longer verifies.
    const forged = { ...signRecord(record({ verdict: 'failed' }), secret), verdict: 'passed' };
    expect(checkValidationRecord(forged, expected, secret)).toMatchObject({ ok: false, reason: expect.stringMatching(/MAC does not verify/) });
  });
});

describe('patch identity', () => {
  it('hashes the exact bytes: one changed byte is another patch', () => {
    expect(patchSha256(diff)).toMatch(/^[0-9a-f]{64}$/);
    expect(patchSha256(diff)).toBe(patchSha256(`${diff}`));
    expect(patchSha256(diff)).not.toBe(patchSha256(diff.replace('+b', '+c')));
    expect(patchSha256(diff)).not.toBe(patchSha256(`${diff}\n`));
  });

  it('names a repository one way: absolute paths, URLs without credentials', () => {
    expect(repositoryIdentity('/srv/repo')).toBe('/srv/repo');
    expect(repositoryIdentity('https://user:tok@example.com/r.git')).toBe('https://example.com/r.git');
    expect(repositoryIdentity('git@example.com:r.git')).toBe('git@example.com:r.git');
    expect(repositoryIdentity('relative/repo')).toBe(`${process.cwd()}/relative/repo`);
  });
});
