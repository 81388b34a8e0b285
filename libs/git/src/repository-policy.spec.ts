import { EgressPolicy } from '@autocode/http';
import { RepositoryNotAllowedError, RepositoryPolicy } from './repository-policy';

describe('RepositoryPolicy', () => {
  const defaults = RepositoryPolicy.fromEnv({}, EgressPolicy.fromAllowList(''));

  it('allows local paths and https on the well-known code hosts by default', () => {
    for (const ok of ['/srv/repos/app', 'file:///srv/repos/app', 'https://github.com/acme/app.git', 'https://gitlab.com/acme/app']) expect(defaults.problem(ok)).toBeUndefined();
  });

  it.each([
    ['http://10.0.0.1/x.git', 'scheme http not allowed (REPOSITORY_ALLOWED_SCHEMES: file, https)'],
    ['https://10.0.0.1/x.git', 'host 10.0.0.1 not allowed (REPOSITORY_ALLOWED_HOSTS: github.com, gitlab.com, bitbucket.org, codeberg.org)'],
    ['https://git.internal.example/x.git', 'host git.internal.example not allowed'],
    ['git@github.com:acme/app.git', 'scheme ssh not allowed'],
    ['git://github.com/acme/app.git', 'scheme git not allowed'],
    ['ext::sh -c touch% /tmp/pwned', 'git remote helpers ("ext::") are not allowed'],
    ['-uhelp', 'must not start with "-"'],
  ])('refuses %s by default: %s', (repository, problem) => {
    expect(defaults.problem(repository)).toContain(problem);
    expect(() => defaults.assertAllowed(repository)).toThrow(RepositoryNotAllowedError);
  });

  it('follows its configuration: schemes, hosts, *.suffix and local roots', () => {
    const policy = RepositoryPolicy.fromEnv(
      { REPOSITORY_ALLOWED_SCHEMES: 'file,https,ssh', REPOSITORY_ALLOWED_HOSTS: 'git.internal.example,*.corp.example', REPOSITORY_ALLOWED_ROOTS: '/srv/repos,/tmp/work' },
      EgressPolicy.fromAllowList(''),
    );
    expect(policy.problem('https://git.internal.example/x.git')).toBeUndefined();
    expect(policy.problem('git@src.corp.example:team/app.git')).toBeUndefined();
    expect(policy.problem('https://github.com/acme/app.git')).toContain('host github.com not allowed');
    expect(policy.problem('/srv/repos/app')).toBeUndefined();
    expect(policy.problem('/tmp/work')).toBeUndefined();
    expect(policy.problem('/srv/repos/../secrets/app')).toBe('/srv/secrets/app is outside REPOSITORY_ALLOWED_ROOTS (/srv/repos, /tmp/work)');
    expect(policy.problem('/srv/repositories')).toContain('outside REPOSITORY_ALLOWED_ROOTS');
    expect(policy.problem('file:///etc')).toContain('outside REPOSITORY_ALLOWED_ROOTS');
  });

  it('with hosts "*", allows any host the egress policy allows', () => {
    const any = RepositoryPolicy.fromEnv({ REPOSITORY_ALLOWED_HOSTS: '*' }, EgressPolicy.fromAllowList('10.9.0.0/16'));
    expect(any.problem('https://example.org/app.git')).toBeUndefined();
    expect(any.problem('https://10.9.1.1/app.git')).toBeUndefined();
    expect(any.problem('https://10.0.0.1/app.git')).toBe('egress denied: 10.0.0.1 is a private address (set EGRESS_ALLOW to allow it)');
    expect(any.problem('https://169.254.169.254/app.git')).toContain('cloud metadata address');
    expect(any.problem('https://[::ffff:127.0.0.1]/app.git')).toContain('loopback address');
    expect(any.problem('https://metadata.google.internal/app.git')).toContain('cloud metadata host');
  });

  it('refuses every local path when file is not an allowed scheme', () => {
    expect(RepositoryPolicy.fromEnv({ REPOSITORY_ALLOWED_SCHEMES: 'https' }).problem('/srv/repos/app')).toBe('local paths (file) not allowed (REPOSITORY_ALLOWED_SCHEMES: https)');
  });

  it('names the variable of a bad configuration', () => {
    expect(() => RepositoryPolicy.fromEnv({ REPOSITORY_ALLOWED_SCHEMES: 'file,ext' })).toThrow('REPOSITORY_ALLOWED_SCHEMES: each entry must be one of file, https, http, ssh, git');
    expect(() => RepositoryPolicy.fromEnv({ REPOSITORY_ALLOWED_ROOTS: 'relative' })).toThrow('REPOSITORY_ALLOWED_ROOTS: each entry must be an absolute path');
    expect(() => RepositoryPolicy.fromEnv({ REPOSITORY_ALLOWED_HOSTS: 'a b' })).toThrow('REPOSITORY_ALLOWED_HOSTS: each entry must be a host name, *.suffix or *');
  });
});
