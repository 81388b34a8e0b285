import { findUntestedModules, ModuleResolver, resolveRelativeImport } from './module-graph';
import { parseProjectLayout } from './project-layout';

const files = new Set(['src/a.ts', 'src/b.js', 'src/c/index.ts', 'src/d.ts', 'src/e.js', 'src/index.ts', 'test/a.spec.ts', 'test/x.test.js', 'src/e.test.js', 'eslint.config.js']);

describe('module graph', () => {
  it('resolves relative imports with and without extensions, index files and the .js → .ts convention', () => {
    expect(resolveRelativeImport('test/a.spec.ts', '../src/a', files)).toBe('src/a.ts');
    expect(resolveRelativeImport('test/a.spec.ts', '../src/a.js', files)).toBe('src/a.ts');
    expect(resolveRelativeImport('test/x.test.js', '../src/c', files)).toBe('src/c/index.ts');
    expect(resolveRelativeImport('test/x.test.js', '../src/b.js', files)).toBe('src/b.js');
    expect(resolveRelativeImport('test/x.test.js', '../../outside', files)).toBeUndefined();
  });

  it('finds modules with exports that no test imports, names or covers', () => {
    const facts = new Map([
      ['src/a.ts', { relativeImports: [], exportCount: 1 }],
      ['src/b.js', { relativeImports: [], exportCount: 2 }],
      ['src/c/index.ts', { relativeImports: [], exportCount: 1 }],
      ['src/d.ts', { relativeImports: [], exportCount: 1 }],
      ['src/e.js', { relativeImports: [], exportCount: 1 }],
      ['src/index.ts', { relativeImports: ['./a'], exportCount: 0 }],
      ['eslint.config.js', { relativeImports: [], exportCount: 1 }],
      ['test/a.spec.ts', { relativeImports: ['../src/a.js'], exportCount: 0 }],
      ['test/x.test.js', { relativeImports: ['../src/c'], exportCount: 0 }],
      ['src/e.test.js', { relativeImports: [], exportCount: 0 }],
    ]);
    // a: imported by a test; c: imported; e: a test of the same name; d: covered; index: no exports; config: not a module.
    expect(findUntestedModules({ files, facts, covered: new Set(['src/d.ts']) })).toEqual(['src/b.js']);
  });
});

describe('resolving what tests import', () => {
  const layoutOf = (files: Record<string, string>) => parseProjectLayout(Object.entries(files).map(([path, text]) => ({ path, text })));

  it('resolves the package root from a test directory (`..`, `../`) through package.json main, else the index', () => {
    const tracked = new Set(['index.js', 'lib/core.js', 'src/index.ts', 'test/a.test.js', 'package.json']);
    expect(new ModuleResolver(tracked).resolve('test/a.test.js', '..')).toEqual(['index.js']);
    expect(new ModuleResolver(tracked).resolve('test/a.test.js', '../')).toEqual(['index.js']);
    const withMain = layoutOf({ 'package.json': JSON.stringify({ name: 'core', main: 'lib/core.js' }) });
    expect(new ModuleResolver(tracked, withMain).resolve('test/a.test.js', '..')).toEqual(['lib/core.js']);
    expect(new ModuleResolver(tracked, withMain).resolve('test/a.test.js', '../src')).toEqual(['src/index.ts']);
  });

  it('maps a package name and its exports map to the sources the build compiles', () => {
    const tracked = new Set(['src/index.ts', 'src/utils/strings.ts', 'src/feature.ts', 'test/x.test.ts']);
    const layout = layoutOf({
      'package.json': JSON.stringify({
        name: '@acme/kit',
        exports: { '.': { types: './dist/index.d.ts', import: './dist/esm/index.js', require: './dist/cjs/index.js' }, './utils/*': './dist/utils/*.js', './feature': './build/feature.mjs' },
      }),
      'tsconfig.json': '{ // comments allowed\n "compilerOptions": { "outDir": "dist", "rootDir": "src" } }',
    });
    const resolver = new ModuleResolver(tracked, layout);
    expect(resolver.resolve('test/x.test.ts', '@acme/kit')).toEqual(['src/index.ts']);
    expect(resolver.resolve('test/x.test.ts', '@acme/kit/utils/strings')).toEqual(['src/utils/strings.ts']);
    expect(resolver.resolve('test/x.test.ts', '@acme/kit/feature')).toEqual(['src/feature.ts']);
    expect(resolver.resolve('test/x.test.ts', '@acme/other')).toEqual([]);
  });

  it('follows tsconfig paths and baseUrl for files under the config', () => {
    const tracked = new Set(['packages/app/src/lib/money.ts', 'packages/app/test/money.spec.ts', 'other/test/x.spec.ts']);
    const layout = layoutOf({ 'packages/app/tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'], '~money': ['src/lib/money.ts'] } } }) });
    const resolver = new ModuleResolver(tracked, layout);
    expect(resolver.resolve('packages/app/test/money.spec.ts', '@/lib/money')).toEqual(['packages/app/src/lib/money.ts']);
    expect(resolver.resolve('packages/app/test/money.spec.ts', '~money')).toEqual(['packages/app/src/lib/money.ts']);
    expect(resolver.resolve('packages/app/test/money.spec.ts', 'src/lib/money')).toEqual(['packages/app/src/lib/money.ts']);
    expect(resolver.resolve('other/test/x.spec.ts', '@/lib/money')).toEqual([]);
  });

  it('counts what a tested barrel re-exports and what those import as reached, and nothing else', () => {
    const tracked = new Set(['src/index.ts', 'src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'test/all.test.ts']);
    const facts = new Map([
      ['src/index.ts', { relativeImports: ['./a', './b'], reExports: ['./a', './b'], exportCount: 0 }],
      ['src/a.ts', { relativeImports: ['./d'], reExports: [], exportCount: 1 }],
      ['src/b.ts', { relativeImports: [], reExports: [], exportCount: 1 }],
      ['src/c.ts', { relativeImports: [], reExports: [], exportCount: 1 }],
      ['src/d.ts', { relativeImports: [], reExports: [], exportCount: 1 }],
      ['test/all.test.ts', { relativeImports: ['../src'], exportCount: 0 }],
    ]);
    expect(findUntestedModules({ files: tracked, facts, covered: new Set() })).toEqual(['src/c.ts']);
    // Without the test, all four are untested.
    const withoutTest = new Map([...facts].filter(([file]) => file !== 'test/all.test.ts'));
    expect(findUntestedModules({ files: tracked, facts: withoutTest, covered: new Set() })).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts']);
  });
});
