import { findUntestedModules, resolveRelativeImport } from './module-graph';

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
