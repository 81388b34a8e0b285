import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT } from '@autocode/testing';

export const MESH_NODE_MODULES = join(WORKSPACE_ROOT, 'node_modules');
export const TSC = join(MESH_NODE_MODULES, 'typescript/bin/tsc');

export interface FixtureRepo {
  path: string;
  /** The commit with the finding (HEAD). */
  commit: string;
  remove(): void;
}

/**
 * A small git repository made by the test: a first commit with `base`, a
 * second adding `finding` (the file the generator is to improve), both
 * recent, so the history looks like a real project's.
 */
export function createFixtureRepo(base: Record<string, string>, finding: Record<string, string> = {}): FixtureRepo {
  const parent = mkdtempSync(join(tmpdir(), 'autocode-fixture-'));
  const path = join(parent, 'repo');
  mkdirSync(path);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@autocode.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: path, encoding: 'utf8' }).trim();
  const write = (files: Record<string, string>) => {
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(dirname(join(path, file)), { recursive: true });
      writeFileSync(join(path, file), content);
    }
  };
  git('init', '-q', '-b', 'main');
  write(base);
  git('add', '-A');
  git('commit', '-q', '-m', 'Project skeleton');
  if (Object.keys(finding).length) {
    write(finding);
    git('add', '-A');
    git('commit', '-q', '-m', 'Add the module to improve');
  }
  return { path, commit: git('rev-parse', 'HEAD'), remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/**
 * A TypeScript project that type-checks and runs its tests with nothing
 * installed: `tsc` from the mesh's node_modules compiles src/ and test/ to
 * build/, and `node --test` runs the compiled tests.
 */
export function typescriptProject(extra: { compilerOptions?: Record<string, unknown> } = {}): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, scripts: { build: 'tsc -p tsconfig.json', test: 'tsc -p tsconfig.json && node --test build/test/' } }, null, 2) + '\n',
    'tsconfig.json':
      JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'commonjs',
            strict: true,
            esModuleInterop: true,
            outDir: 'build',
            rootDir: '.',
            typeRoots: [join(MESH_NODE_MODULES, '@types')],
            types: ['node'],
            ...extra.compilerOptions,
          },
          include: ['src/**/*.ts', 'test/**/*.ts'],
        },
        null,
        2,
      ) + '\n',
    '.gitignore': 'build/\nnode_modules/\n',
  };
}
