import { triggerRequestedPayloadSchema } from './trigger-requested.event';
import { parseRepositoryLocation } from './repository-location';

describe('parseRepositoryLocation', () => {
  it.each([
    ['/srv/repos/app', { kind: 'local', path: '/srv/repos/app' }],
    ['/srv/repos/../repos/app/', { kind: 'local', path: '/srv/repos/app/' }],
    ['file:///srv/repos/app', { kind: 'local', path: '/srv/repos/app' }],
    ['https://github.com/acme/app.git', { kind: 'remote', scheme: 'https', host: 'github.com' }],
    ['HTTPS://GitHub.com./acme/app', { kind: 'remote', scheme: 'https', host: 'github.com' }],
    ['http://10.0.0.1/x.git', { kind: 'remote', scheme: 'http', host: '10.0.0.1' }],
    ['ssh://git.example.com:2222/app.git', { kind: 'remote', scheme: 'ssh', host: 'git.example.com', port: 2222 }],
    ['ssh://git@github.com/acme/app.git', { kind: 'remote', scheme: 'ssh', host: 'github.com' }],
    ['git@github.com:acme/app.git', { kind: 'remote', scheme: 'ssh', host: 'github.com' }],
    ['github.com:acme/app.git', { kind: 'remote', scheme: 'ssh', host: 'github.com' }],
  ])('reads %s', (value, expected) => {
    expect(parseRepositoryLocation(value)).toEqual(expected);
  });

  it.each([
    ['ext::sh -c touch% /tmp/pwned', 'git remote helpers ("ext::") are not allowed'],
    ['fd::17', 'git remote helpers ("fd::") are not allowed'],
    ['evil::whatever', 'git remote helpers ("evil::") are not allowed'],
    ['-uhelp', 'must not start with "-" (git would read it as an option)'],
    ['--upload-pack=touch /tmp/pwned', 'must not start with "-"'],
    ['https://user:token@github.com/acme/app.git', 'must not carry credentials'],
    ['https://ghp_token@github.com/acme/app.git', 'must not carry credentials'],
    ['ssh://git:secret@github.com/acme/app.git', 'must not carry credentials'],
    ['file://evil.example/etc', 'a file:// URL must not name a host'],
    ['/srv/app\nother', 'must not contain control characters'],
    [' /srv/app', 'must not start or end with white space'],
    ['relative/path', 'must be an absolute path or a URL'],
    ['.autocode/sample-repo', 'must be an absolute path or a URL'],
  ])('refuses %j', (value, problem) => {
    expect(parseRepositoryLocation(value)).toEqual({ problem: expect.stringContaining(problem) });
  });

  it('is part of the trigger contract, so a Kafka trigger naming a helper is invalid before any handler sees it', () => {
    const result = triggerRequestedPayloadSchema.safeParse({ repository: 'ext::sh -c id' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['repository'], message: 'git remote helpers ("ext::") are not allowed' });
    expect(triggerRequestedPayloadSchema.safeParse({ repository: '/srv/repos/app' }).success).toBe(true);
  });
});
