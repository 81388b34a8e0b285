import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The TypeScript compiler and ESLint the validator runs on target
 * repositories (which have no node_modules of their own in a fresh
 * checkout): this service's own, shared read-only into the sandbox.
 */
export class Toolchain {
  constructor(readonly nodeModules: string) {}

  get tsc(): string {
    return join(this.nodeModules, 'typescript', 'bin', 'tsc');
  }

  get eslint(): string {
    return join(this.nodeModules, 'eslint', 'bin', 'eslint.js');
  }

  get binDir(): string {
    return join(this.nodeModules, '.bin');
  }

  /** The entry file of a toolchain package, resolved as Node would from the toolchain (honours `exports`). */
  resolve(pkg: string): string {
    return createRequire(join(this.nodeModules, 'autocode-toolchain.js')).resolve(pkg);
  }

  /** The nearest node_modules above `from` holding TypeScript and ESLint (the way Node resolves the bundle's imports). */
  static locate(from = __dirname): Toolchain {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules');
      if (existsSync(join(candidate, 'typescript', 'package.json')) && existsSync(join(candidate, 'eslint', 'package.json'))) return new Toolchain(candidate);
      if (dirname(dir) === dir) throw new Error(`no node_modules with typescript and eslint above ${from}`);
    }
  }
}
