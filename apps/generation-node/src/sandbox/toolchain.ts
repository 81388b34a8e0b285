import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the generator runner and the node_modules it needs (TypeScript,
 * ESLint, Prettier) are: the sandbox lets the runner read these, and
 * nothing else of the service's installation.
 */
export interface Toolchain {
  runnerPath: string;
  nodeModulesDir: string;
}

export function locateToolchain(configuredRunner?: string): Toolchain {
  // In the bundle, __dirname is dist/apps/generation-node (or /app in the image): the runner sits beside main.js.
  const runnerPath = configuredRunner ?? join(__dirname, 'generator-runner.js');
  if (!existsSync(runnerPath)) throw new Error(`the generator runner is missing at ${runnerPath}: build the service (npx nx run generation-node:build)`);
  return { runnerPath, nodeModulesDir: findNodeModules(dirname(runnerPath)) };
}

/** The nearest node_modules above `from` that holds TypeScript, the way Node resolves the runner's imports. */
function findNodeModules(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(join(candidate, 'typescript', 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no node_modules with typescript above ${from}`);
  }
}
