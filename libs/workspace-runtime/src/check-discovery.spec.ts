import { discoverChecks, unsuitable } from './check-discovery';

const TYPICAL = {
  build: 'tsc -p tsconfig.build.json',
  test: 'vitest',
  'test:watch': 'vitest watch',
  lint: 'eslint .',
  'lint:fix': 'eslint . --fix',
  typecheck: 'tsc --noEmit',
  'format:check': 'prettier --check .',
  format: 'prettier --write .',
  dev: 'vite',
  prepublishOnly: 'npm run build',
};

describe('discoverChecks', () => {
  it('finds test, lint, typecheck, format check and build of a typical package.json, with the manager’s command', () => {
    const found = discoverChecks(TYPICAL, 'pnpm', undefined);
    expect(found.checks.map((c) => [c.kind, c.name, c.display])).toEqual([
      ['test', 'test', 'pnpm run test'],
      ['lint', 'lint', 'pnpm run lint'],
      ['typecheck', 'typecheck', 'pnpm run typecheck'],
      ['format', 'format:check', 'pnpm run format:check'],
      ['build', 'build', 'pnpm run build'],
    ]);
    expect(discoverChecks(TYPICAL, 'yarn', 'classic').checks[0].display).toBe('yarn test');
    expect(discoverChecks(TYPICAL, 'npm', undefined).checks[0].display).toBe('npm run test');
  });

  it('finds a format check by its command and other typecheck names', () => {
    const found = discoverChecks({ 'lint:styles': 'prettier -c "src/**/*.ts"', 'check-types': 'tsc', 'biome:ci': 'biome format src' }, 'npm', undefined);
    expect(found.checks.map((c) => [c.kind, c.name])).toEqual([
      ['typecheck', 'check-types'],
      ['format', 'lint:styles'],
      ['format', 'biome:ci'],
    ]);
  });

  it('leaves out watchers, fixers and npm’s placeholder test', () => {
    const found = discoverChecks({ test: 'echo "Error: no test specified" && exit 1', lint: 'eslint --fix src', tsc: 'tsc -w', types: 'tsc --noEmit --watch' }, 'npm', undefined);
    expect(found.checks).toEqual([]);
    expect(found.skipped.map((s) => s.name)).toEqual(['test', 'lint', 'tsc', 'types']);
  });

  it('honours autocode.yaml include and exclude, and warns about names that are not scripts', () => {
    const found = discoverChecks({ ...TYPICAL, 'test:e2e': 'playwright test' }, 'npm', undefined, { include: ['test:e2e', 'nope'], exclude: ['build', 'lint'] });
    expect(found.checks.map((c) => [c.kind, c.name, c.reason])).toEqual([
      ['custom', 'test:e2e', 'autocode.yaml checks.include'],
      ['test', 'test', 'script name'],
      ['typecheck', 'typecheck', 'script name'],
      ['format', 'format:check', 'script name'],
    ]);
    expect(found.warnings).toEqual(['autocode.yaml checks.include names "nope", which is not a script in package.json']);
  });
});

describe('unsuitable', () => {
  it.each([
    ['jest --watch', 'watch mode or a server: it never ends'],
    ['jest --watchAll=false', undefined],
    ['vitest run', undefined],
    ['vitest', undefined],
    ['mocha -w', 'watch mode or a server: it never ends'],
    ['nodemon src/index.js', 'watch mode or a server: it never ends'],
    ['prettier --write .', 'changes files (--fix/--write) or publishes'],
    ['biome check --write .', 'changes files (--fix/--write) or publishes'],
    ['eslint . --fix=true', 'changes files (--fix/--write) or publishes'],
    ['eslint --fix-dry-run .', undefined],
    ['tsc --noEmit', undefined],
  ])('%s → %s', (body, expected) => expect(unsuitable('x', body)).toBe(expected));
});
