import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { patchReplacing, type PatchFixture } from '@autocode/testing';

/**
 * A small TypeScript project like the bundled sample (sources, tests, a
 * tsconfig, a benchmark), built so it runs in a bare checkout: the
 * validator's toolchain provides tsc, node runs the tests; it has no ESLint
 * config of its own, so it asks for the validator's built-in rules.
 */
const FILES: Record<string, string> = {
  'package.json': `${JSON.stringify(
    {
      name: 'validation-fixture',
      version: '1.0.0',
      private: true,
      scripts: { build: 'tsc -p tsconfig.json', test: 'tsc -p tsconfig.json; node --test test/' },
    },
    null,
    2,
  )}\n`,
  'tsconfig.json': `${JSON.stringify({ compilerOptions: { target: 'es2022', module: 'commonjs', strict: true, outDir: 'build', rootDir: 'src', types: [] }, include: ['src'] }, null, 2)}\n`,
  'autocode.yaml': `validation:
  static_analysis:
    eslint: builtin
  unit_tests:
    command: tsc -p tsconfig.json; node --test test/
  performance:
    command: test -d build || tsc -p tsconfig.json > /dev/null; node bench.js
    runs: 3
    threshold: 25%
    min_delta_ms: 20
`,
  'src/pricing.ts': `export interface LineItem {
  price: number;
  quantity: number;
}

/** Sum of price × quantity over the items. */
export function subtotal(items: LineItem[]): number {
  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}

/** Applies a percentage discount, never below zero. */
export function applyDiscount(amount: number, percent: number): number {
  return Math.max(0, amount - (amount * percent) / 100);
}
`,
  'test/pricing.test.js': `const test = require('node:test');
const assert = require('node:assert/strict');
const { subtotal, applyDiscount } = require('../build/pricing.js');

test('adds up line items', () => {
  assert.equal(subtotal([{ price: 2, quantity: 3 }, { price: 1.5, quantity: 2 }]), 9);
});

test('applies the discount', () => {
  assert.equal(applyDiscount(200, 10), 180);
});
`,
  'bench.js': `const { subtotal } = require('./build/pricing.js');
const items = Array.from({ length: 1000 }, (_, i) => ({ price: i % 17, quantity: 1 + (i % 3) }));
let total = 0;
const started = performance.now();
for (let i = 0; i < 200; i++) total += subtotal(items);
console.log('subtotal x200:', total);
console.log('benchmark: ' + (performance.now() - started).toFixed(2) + ' ms');
`,
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@autocode.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

export class ValidationFixture {
  private constructor(
    readonly root: string,
    readonly repo: string,
    readonly commit: string,
  ) {}

  static create(): ValidationFixture {
    const root = mkdtempSync(join(tmpdir(), 'autocode-validate-'));
    const repo = join(root, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '--quiet', '-b', 'main');
    for (const [file, content] of Object.entries(FILES)) {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      writeFileSync(join(repo, file), content);
    }
    writeFileSync(join(repo, '.gitignore'), 'build/\nnode_modules/\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'A small priced-items library');
    return new ValidationFixture(root, repo, git(repo, 'rev-parse', 'HEAD').trim());
  }

  /** A unified diff that replaces (or adds) files, with its stats, as a generator would hand it over. */
  patch(files: Record<string, string>): PatchFixture {
    return patchReplacing(this.repo, files);
  }

  /** A commit on its own branch of the fixture repository, with these files added or replaced (objects become JSON). */
  commitOnBranch(branch: string, files: Record<string, string | object>): string {
    git(this.repo, 'checkout', '--quiet', '-b', branch, this.commit);
    try {
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(dirname(join(this.repo, file)), { recursive: true });
        writeFileSync(join(this.repo, file), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
      }
      git(this.repo, 'add', '-A');
      git(this.repo, 'commit', '--quiet', '-m', `fixture: ${branch}`);
      return git(this.repo, 'rev-parse', 'HEAD').trim();
    } finally {
      git(this.repo, 'checkout', '--quiet', 'main');
    }
  }

  source(file: string): string {
    return FILES[file];
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
