import { filterNpmrc, filterYarnrc, isPublicHttpsRegistry } from './npmrc-policy';

describe('filterNpmrc', () => {
  it('keeps public https registries and layout settings, drops the rest by name', () => {
    const rc = [
      '# comment',
      'registry=https://registry.npmjs.org/',
      '@acme:registry=https://npm.pkg.github.com',
      '//npm.pkg.github.com/:_authToken=${NPM_TOKEN}',
      'shamefully-hoist=true',
      'node-linker=hoisted',
      'ignore-scripts=false',
      'script-shell=/tmp/evil.sh',
      'node-options=--require /tmp/evil.js',
      'cafile=/etc/passwd',
      'https-proxy=http://10.0.0.1:3128',
      'legacy-peer-deps=true',
    ].join('\n');
    const filtered = filterNpmrc(rc);
    expect(filtered.text).toBe('registry=https://registry.npmjs.org/\n@acme:registry=https://npm.pkg.github.com\nshamefully-hoist=true\nnode-linker=hoisted\nlegacy-peer-deps=true\n');
    expect(filtered.dropped).toEqual(['//npm.pkg.github.com/:_authToken', 'ignore-scripts', 'script-shell', 'node-options', 'cafile', 'https-proxy']);
  });

  it('drops registries that would reach the host or a private network', () => {
    expect(filterNpmrc('registry=http://registry.npmjs.org/\n@x:registry=https://127.0.0.1:6379/\n@y:registry=https://localhost/').text).toBe('');
  });
});

describe('isPublicHttpsRegistry', () => {
  it.each([
    ['https://registry.npmjs.org/', true],
    ['https://registry.yarnpkg.com', true],
    ['http://registry.npmjs.org/', false],
    ['https://user:pw@registry.npmjs.org/', false],
    ['https://[::1]/', false],
    ['https://10.1.2.3/', false],
    ['https://redis/', false],
    ['https://registry.internal/', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => expect(isPublicHttpsRegistry(url)).toBe(expected));
});

describe('filterYarnrc', () => {
  it('keeps public registries only; yarn-path and flags are dropped', () => {
    const filtered = filterYarnrc('registry "https://registry.yarnpkg.com"\nyarn-path ".yarn/releases/yarn-1.22.19.cjs"\n--install.ignore-scripts false\n');
    expect(filtered.text).toBe('"registry" "https://registry.yarnpkg.com"\n');
    expect(filtered.dropped).toEqual(['yarn-path', '--install.ignore-scripts']);
  });
});
