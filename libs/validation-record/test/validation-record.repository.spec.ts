import { randomBytes } from 'node:crypto';
import { GitClient } from '@autocode/git';
import { RedisConnection } from '@autocode/state';
import { TEST_INFRA, testNamespace } from '@autocode/testing';
import { patchSha256, pathsTouchedByPatch, repositoryIdentity, ValidationRecordRepository, type UnsignedValidationRecord } from '../src';

const diff = 'diff --git a/app.json b/app.json\n--- a/app.json\n+++ b/app.json\n@@ -1 +1 @@\n-{}\n+{"a":1}\n';

function recordFor(over: Partial<UnsignedValidationRecord> = {}): UnsignedValidationRecord {
  return {
    version: 1,
    patchSha256: patchSha256(diff),
    repository: repositoryIdentity('/srv/repo'),
    baseCommit: 'c'.repeat(40),
    verdict: 'passed',
    stages: [
      { name: 'apply', status: 'passed', required: true, durationMs: 1, summary: 'applies', findings: [] },
      { name: 'protected-paths', status: 'passed', required: true, durationMs: 1, summary: 'none touched', findings: [] },
    ],
    validator: { instance: 'validator-test', taskId: 'tsk_test' },
    validatedAt: new Date().toISOString(),
    ...over,
  };
}

describe('ValidationRecordRepository (real Redis)', () => {
  const redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${testNamespace('vrec')}:` });
  const expected = { patchSha256: patchSha256(diff), repository: repositoryIdentity('/srv/repo'), baseCommit: 'c'.repeat(40) };

  afterAll(async () => {
    const keys = await redis.client.keys(`${redis.options.keyPrefix}*`);
    if (keys.length) await redis.client.del(...keys);
    await redis.close();
  });

  it('finds what a validator saved for that exact patch, repository and base — and nothing for anything else', async () => {
    const records = new ValidationRecordRepository(redis);
    await records.save(recordFor());
    expect(await records.check(expected)).toMatchObject({ ok: true, record: { validator: { instance: 'validator-test' } } });
    expect(await records.check({ ...expected, patchSha256: patchSha256(`${diff} `) })).toMatchObject({ ok: false, reason: expect.stringMatching(/no validator has recorded/) });
    expect(await records.check({ ...expected, baseCommit: 'd'.repeat(40) })).toMatchObject({ ok: false });
    expect(await records.check({ ...expected, repository: '/srv/other' })).toMatchObject({ ok: false });
  });

  it('a later failed validation of the same patch replaces the pass', async () => {
    const records = new ValidationRecordRepository(redis);
    const other = { ...expected, baseCommit: 'e'.repeat(40) };
    await records.save(recordFor({ baseCommit: other.baseCommit }));
    await records.save(recordFor({ baseCommit: other.baseCommit, verdict: 'failed' }));
    expect(await records.check(other)).toMatchObject({ ok: false, reason: expect.stringMatching(/validation failed/) });
  });

  it('signs with the mesh secret; a deployer with the secret refuses an unsigned record written straight to Redis', async () => {
    const secret = randomBytes(16).toString('hex');
    const signedRepo = new ValidationRecordRepository(redis, { secret });
    const signed = { ...expected, baseCommit: 'f'.repeat(40) };
    const saved = await signedRepo.save(recordFor({ baseCommit: signed.baseCommit }));
    expect(saved.mac).toMatch(/^[0-9a-f]{64}$/);
    expect(await signedRepo.check(signed)).toMatchObject({ ok: true });
    await new ValidationRecordRepository(redis).save(recordFor({ baseCommit: signed.baseCommit }));
    expect(await signedRepo.check(signed)).toMatchObject({ ok: false, reason: expect.stringMatching(/carries no MAC/) });
  });

  it('says a record that is not JSON is malformed', async () => {
    const records = new ValidationRecordRepository(redis);
    const broken = { ...expected, baseCommit: '1'.repeat(40) };
    await records.save(recordFor({ baseCommit: broken.baseCommit }));
    const [key] = await redis.client.keys(`${redis.options.keyPrefix}validation:record:*:${broken.baseCommit}`);
    await redis.client.set(key, 'not json');
    expect(await records.check(broken)).toMatchObject({ ok: false, reason: expect.stringMatching(/malformed/) });
  });
});

describe('pathsTouchedByPatch (real git)', () => {
  const git = new GitClient();

  it('lists every path as git apply reads it: both sides of a rename, mode changes, content changes', async () => {
    const patch = [
      'diff --git a/old.sh b/deploy.sh',
      'similarity index 100%',
      'rename from old.sh',
      'rename to deploy.sh',
      'diff --git a/run.sh b/run.sh',
      'old mode 100644',
      'new mode 100755',
      'diff --git a/src/x.ts b/src/x.ts',
      '--- a/src/x.ts',
      '+++ b/src/x.ts',
      '@@ -1 +1 @@',
      '-a',
      '+b',
      '',
    ].join('\n');
    expect((await pathsTouchedByPatch(git, patch)).sort()).toEqual(['deploy.sh', 'old.sh', 'run.sh', 'src/x.ts']);
  });

  it('refuses what git cannot read as a patch', async () => {
    await expect(pathsTouchedByPatch(git, 'diff --git a/x b/x\n@@ nonsense\n')).rejects.toThrow(/git apply/);
  });
});
