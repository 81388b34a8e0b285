/**
 * The generator runner: a separate program (dist/apps/generation-node/
 * generator-runner.js) that the generation node starts inside the sandbox,
 * with the workspace as its working directory and only writable place. It
 * reads one job on stdin, changes files, and reports on stdout; see
 * runner/runner-protocol.ts. Everything here may run the repository's own
 * code (its ESLint and Prettier configs, the modules a test is written for).
 */
import { runGeneratorJob } from './runner/generator-runner';

void runGeneratorJob(process.cwd(), process.stdin, (line) => process.stdout.write(`${line}\n`)).then((ok) => {
  process.exitCode = ok ? 0 : 1;
});
