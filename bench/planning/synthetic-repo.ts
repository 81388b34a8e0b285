import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@autocode.invalid', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@autocode.invalid' };

export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: repo, env: GIT_ENV, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
}

/**
 * One TypeScript module of the synthetic repository: ~60 lines, an import
 * graph, a mix of documented and undocumented exports, and — on some
 * modules — an unused import, a lint finding, a complexity hot spot or
 * bad formatting, so every per-file analysis has work to do.
 */
export function moduleSource(i: number, modules: number, revision = 0): string {
  const next = (i + 1) % modules;
  const other = (i + 7) % modules;
  const lines: string[] = [];
  lines.push(`import { helper${next} } from './module-${next}';`);
  if (i % 7 === 0) lines.push(`import { Store${other} } from './module-${other}';`);
  lines.push('');
  if (revision) lines.push(`// revision ${revision}`, '');
  if (i % 3 !== 0) lines.push(`/** Sums the values of ${i} by mode. */`);
  lines.push(`export function compute${i}(input: number[], mode: string): number {`);
  lines.push('  let total = 0;');
  lines.push('  for (const value of input) {');
  lines.push("    if (value > 10 && mode === 'a') {");
  lines.push('      total += value;');
  lines.push("    } else if (value < 0 || mode === 'b') {");
  lines.push('      total -= value;');
  if (i % 10 === 0) {
    for (let b = 0; b < 8; b += 1) {
      lines.push(`    } else if (value === ${b} && mode !== 'c${b}') {`);
      lines.push(`      total += ${b};`);
    }
  }
  lines.push('    }');
  lines.push('  }');
  lines.push(`  return total + helper${next}(total);`);
  lines.push('}');
  lines.push('');
  lines.push(`/** Doubles. */`);
  lines.push(`export function helper${i}(x: number): number {`);
  if (i % 11 === 0) lines.push('  var doubled = x * 2;', '  return doubled;');
  else lines.push('  return x * 2;');
  lines.push('}');
  lines.push('');
  lines.push(`/** Items by key. */`);
  lines.push(`export class Store${i} {`);
  lines.push('  private readonly items = new Map<string, number>();');
  lines.push('');
  lines.push('  put(key: string, value: number): void {');
  lines.push('    this.items.set(key, value);');
  lines.push('  }');
  lines.push('');
  lines.push('  get(key: string): number | undefined {');
  lines.push('    return this.items.get(key);');
  lines.push('  }');
  lines.push('');
  lines.push('  total(): number {');
  lines.push('    let sum = 0;');
  lines.push('    for (const value of this.items.values()) sum += value;');
  lines.push('    return sum;');
  lines.push('  }');
  lines.push('}');
  if (i % 7 === 0) lines.push('', `export const kind${i} = '${i % 2 ? 'odd' : 'even'}';`);
  if (i % 13 === 0) lines.push('', `export const   spaced${i}   =  { a:1,b :2 }`);
  lines.push('');
  return lines.join('\n');
}

function testSource(i: number): string {
  return [`import { compute${i} } from '../src/module-${i}';`, '', `export const checks${i} = [compute${i}([1, 2, 3], 'a')];`, ''].join('\n');
}

/** A git repository with `modules` modules under src/ and a test for every fifth, committed an hour ago. */
export function createSyntheticRepo(dir: string, modules: number): { sources: number } {
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'test'), { recursive: true });
  for (let i = 0; i < modules; i += 1) writeFileSync(join(dir, 'src', `module-${i}.ts`), moduleSource(i, modules));
  let tests = 0;
  for (let i = 0; i < modules; i += 5) {
    writeFileSync(join(dir, 'test', `module-${i}.spec.ts`), testSource(i));
    tests += 1;
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'synthetic', private: true, devDependencies: { prettier: '^3.0.0' } }, null, 2));
  writeFileSync(join(dir, '.prettierrc.json'), JSON.stringify({ singleQuote: true, printWidth: 120 }));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  const when = new Date(Date.now() - 3600_000).toISOString();
  execFileSync('git', ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'Synthetic repository'], { cwd: dir, env: { ...GIT_ENV, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when } });
  return { sources: modules + tests };
}

/** Edits `count` modules (a comment line) and commits: the incremental case. */
export function touchModules(dir: string, modules: number, count: number, revision: number): void {
  const step = Math.max(1, Math.floor(modules / count));
  for (let n = 0; n < count; n += 1) {
    const i = (n * step + revision) % modules;
    writeFileSync(join(dir, 'src', `module-${i}.ts`), moduleSource(i, modules, revision));
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', `Touch ${count} modules (revision ${revision})`);
}
