import { allowProtectedPathsSchema, headerPaths, hookCommandsOf, hookFileCandidates, hookFileGlobs, protectedPathHits } from './protected-paths';

describe('protectedPathHits', () => {
  it.each([
    ['autocode.yaml', "autocode's configuration"],
    ['.github/workflows/ci.yml', 'CI configuration'],
    ['.gitlab-ci.yml', 'CI configuration'],
    ['.circleci/config.yml', 'CI configuration'],
    ['.ci/build.sh', 'CI configuration'],
    ['azure-pipelines.yml', 'CI configuration'],
    ['Jenkinsfile', 'CI configuration'],
    ['.buildkite/pipeline.yml', 'CI configuration'],
    ['.npmrc', 'package-manager configuration'],
    ['packages/api/.npmrc', 'package-manager configuration'],
    ['.yarnrc.yml', 'package-manager configuration'],
    ['.pnpmfile.cjs', 'package-manager configuration'],
    ['.yarn/plugins/evil.cjs', 'package-manager plugins'],
    ['.husky/pre-commit', 'git hooks'],
    ['.githooks/post-checkout', 'git hooks'],
    ['lefthook.yml', 'git hooks'],
    ['.pre-commit-config.yaml', 'git hooks'],
    ['.gitattributes', 'git attributes'],
    ['src/.gitattributes', 'git attributes'],
    ['.gitmodules', 'git submodules'],
  ])('protects %s (%s)', (path, why) => {
    expect(protectedPathHits([path])).toEqual([{ path, why: expect.stringContaining(why) }]);
  });

  it('leaves product code, manifests and lockfiles alone: dependency updates change them', () => {
    expect(protectedPathHits(['src/index.ts', 'package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'docs/github.md', 'my.npmrc.md', 'README.md'])).toEqual([]);
  });

  it("protects the files the deploy hook's command names, existing or not, but not whole directories", () => {
    const hookGlobs = hookFileGlobs(['./deploy.sh', 'cd app && node ops/run.js']);
    expect(protectedPathHits(['deploy.sh', 'ops/run.js', 'app/index.js', 'app', 'run.js', 'src/deploy.sh'], { hookGlobs }).map((h) => [h.path, h.why])).toEqual([
      ['deploy.sh', 'the deploy hook (named in autocode.yaml)'],
      ['ops/run.js', 'the deploy hook (named in autocode.yaml)'],
      ['app', 'the deploy hook (named in autocode.yaml)'],
    ]);
  });

  it('normalizes ./ and duplicate paths', () => {
    expect(protectedPathHits(['./autocode.yaml', 'autocode.yaml'])).toEqual([{ path: 'autocode.yaml', why: expect.any(String) }]);
  });

  it('lets the repository allow what it chose to, and only that', () => {
    const hits = protectedPathHits(['.github/workflows/ci.yml', '.github/CODEOWNERS', '.npmrc'], { allow: ['.github/workflows/**'] });
    expect(hits.map((h) => h.path)).toEqual(['.github/CODEOWNERS', '.npmrc']);
  });

  it('escapes glob characters in hook file names', () => {
    expect(protectedPathHits(['deploy[1].sh', 'deploy1.sh'], { hookGlobs: hookFileGlobs(['./deploy[1].sh']) }).map((h) => h.path)).toEqual(['deploy[1].sh']);
  });
});

describe('allowProtectedPathsSchema', () => {
  it('accepts relative globs and defaults to none', () => {
    expect(allowProtectedPathsSchema.parse(undefined)).toEqual([]);
    expect(allowProtectedPathsSchema.parse(['.github/**', 'Jenkinsfile'])).toEqual(['.github/**', 'Jenkinsfile']);
  });

  it('refuses absolute and escaping globs with a message that says why', () => {
    for (const glob of ['/etc/passwd', '../x', 'a/../../b']) {
      const result = allowProtectedPathsSchema.safeParse([glob]);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0].message).toMatch(/relative to the repository root/);
    }
    expect(allowProtectedPathsSchema.safeParse(['']).success).toBe(false);
  });
});

describe('hookFileCandidates', () => {
  it.each([
    ['./deploy.sh', ['deploy.sh']],
    ['node deploy.js', ['node', 'deploy.js']],
    ['FOO=1 bash scripts/deploy.sh --prod "$TARGET"', ['bash', 'scripts/deploy.sh']],
    ['cd ops/ && ./run.sh | tee /tmp/log', ['cd', 'ops', 'run.sh', 'tee']],
    ["sh -c './a.sh; ../outside.sh'", ['sh', 'a.sh']],
  ])('%s → %j', (command, expected) => {
    expect(hookFileCandidates(command)).toEqual(expected);
  });
});

describe('hookCommandsOf', () => {
  it('reads string and object hooks of every environment, ignoring what is not a hook', () => {
    const document = {
      deployment: { environments: [{ name: 'a', deploy_hook: './deploy.sh' }, { name: 'b', deploy_hook: { command: 'node deploy.js' } }, { name: 'c' }, null, { deploy_hook: 42 }] },
    };
    expect(hookCommandsOf(document)).toEqual(['./deploy.sh', 'node deploy.js']);
    expect(hookCommandsOf(null)).toEqual([]);
    expect(hookCommandsOf({ deployment: { environments: 'x' } })).toEqual([]);
  });
});

describe('headerPaths', () => {
  it('reads both sides of headers, renames and C-quoted names', () => {
    const diff = ['diff --git a/x b/y', 'rename from "dep\\303\\251loy.sh"', 'rename to y', '--- a/p q.txt\t', '+++ /dev/null', ''].join('\n');
    expect(headerPaths(diff)).toEqual(['x', 'y', 'depéloy.sh', 'y', 'p q.txt']);
  });
});
